// `prcm verify`: one library against the naive reference on seeded data, or every
// module on every device built over the awkward-shape grid (--all).
#include "cli.h"

#include "prcm/run.h"

#include <algorithm>
#include <iostream>

namespace prcm::cli {

namespace {
void print_failure(const Problem &p, const VerifyResult &r) {
    std::cout << verdict_name(r.comparison.verdict) << "  " << p.replay() << "\n" << failure_details(r, "    ");
}
}  // namespace

int run_verify(const ProblemOptions &o) {
    Problem p;
    if (Status s = make_problem(o, &p); !s) return report_error("verify", s);
    if (Status s = device_available(p.device); !s) {
        return report_error("verify", s.prefixed(std::string(device_name(p.device)) + ": "));
    }
    const Library *library = nullptr;
    if (Status s = find_library(*p.module, p.device, p.schedule, &library); !s) return report_error("verify", s);
    const VerifyResult r = verify(p);
    const Comparison &c = r.comparison;
    if (c.verdict != Verdict::passed) {
        print_failure(p, r);
        return exit_code(r);
    }
    std::cout << "PASSED  " << p.replay() << "  max abs err " << format_sci(c.max_abs) << ", max rel err "
              << format_sci(c.max_rel) << "\n";
    return 0;
}

int run_verify_all(const std::string &schedule) {
    // A twin: every device it is built for; it is no error that the others have none.
    const bool hand = schedule == kHandSchedule;
    std::vector<Device> devices;
    for (Device d : built_devices()) {
        const std::vector<std::string> built = built_schedules(d);
        if (std::find(built.begin(), built.end(), schedule) != built.end()) devices.push_back(d);
    }
    if (devices.empty()) {
        return report_error("verify", Status::unavailable("no " + schedule +
                                                          " twins in this build (configure with "
                                                          "-DPRCM_AUTOSCHEDULERS=" +
                                                          find_schedule(schedule)->autoscheduler + ")"));
    }
    const std::string suffix = hand ? "" : " (" + schedule + ")";
    int failed = 0, code = exit_ok;
    for (const Module &m : modules()) {
        for (Device d : devices) {
            if (Status s = device_available(d); !s) {
                std::cout << "SKIPPED " << m.spec->name << " on " << device_name(d) << suffix << ": " << s.message()
                          << "\n";
                continue;
            }
            // A twin its autoscheduler could not compile is reported; the build already warned.
            if (const FailedLibrary *f = m.failure(d, schedule)) {
                std::cout << "NOT COMPILED " << m.spec->name << " on " << device_name(d) << suffix << ": " << f->error
                          << "\n";
                continue;
            }
            int passed = 0, cases = 0;
            double max_abs = 0;
            for (Problem p : awkward_problems(m, d)) {
                p.schedule = schedule;
                const VerifyResult r = verify(p);
                cases++;
                if (r.comparison.verdict == Verdict::passed) {
                    passed++;
                    max_abs = std::max(max_abs, r.comparison.max_abs);
                } else {
                    print_failure(p, r);
                    code = std::max(code, exit_code(r));
                }
            }
            failed += cases - passed;
            const std::string forced =
                d == Device::cpu && cpu_target_forced() ? " (" + cpu_target_selected() + ")" : "";
            std::cout << (passed == cases ? "PASSED  " : "FAILED  ") << m.spec->name << " on " << device_name(d)
                      << forced << suffix << ": " << passed << "/" << cases << " shapes, max abs err "
                      << format_sci(max_abs) << "\n";
        }
    }
    return failed ? code : exit_ok;
}

}  // namespace prcm::cli
