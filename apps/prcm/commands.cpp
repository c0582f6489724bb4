#include "cli.h"

#include "prcm/files.h"
#include "prcm/run.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace prcm::cli {

int exit_code(const Status &s) {
    switch (s.kind()) {
        case ErrorKind::none: return exit_ok;
        case ErrorKind::invalid: return exit_invalid;
        case ErrorKind::unavailable: return exit_unavailable;
        case ErrorKind::failed: return exit_failed;
    }
    return exit_failed;
}

int exit_code(const VerifyResult &r) {
    switch (r.comparison.verdict) {
        case Verdict::passed: return exit_ok;
        case Verdict::skipped: return exit_unavailable;
        case Verdict::failed: return r.error.empty() ? exit_verification_failed : exit_failed;
        case Verdict::mistrusted: return exit_verification_failed;
    }
    return exit_failed;
}

const char *exit_code_help() {
    return "Exit status: 0 ok; 1 verification failed (a result differs from the reference);\n"
           "2 bad arguments or input; 3 device unavailable; 4 the work failed (an output could\n"
           "not be written, the device failed mid-call); 130 interrupted (SIGINT), 143 terminated\n"
           "(SIGTERM). Outputs are written whole or not at all: a temporary file renamed into place.";
}

volatile std::sig_atomic_t stderr_mid_line = 0;

int report_error(const char *command, const Status &s) {
    std::cerr << "prcm " << command << ": " << printable(s.message(), true) << "\n";
    return exit_code(s);
}

Status check_outputs(const std::vector<std::string> &outputs, const std::vector<std::string> &inputs) {
    std::vector<std::string> given;
    for (const std::string &path : outputs) {
        if (path.empty()) continue;
        if (std::find(given.begin(), given.end(), path) != given.end()) {
            return Status::error(printable(path) + " is named for two outputs, which would be the same file");
        }
        // Earlier outputs that exist already are "inputs" here too: the same file twice.
        std::vector<std::string> others = inputs;
        others.insert(others.end(), given.begin(), given.end());
        if (Status s = check_output_path(path, others); !s) return Status::error(printable(s.message()));
        given.push_back(path);
    }
    return Status::ok();
}

namespace {

// a * b, or UINT64_MAX where it would wrap.
uint64_t saturating_mul(uint64_t a, uint64_t b) {
    if (a != 0 && b > UINT64_MAX / a) return UINT64_MAX;
    return a * b;
}

uint64_t elements(const TorchShape &shape) {
    uint64_t n = 1;
    for (int e : shape) n = saturating_mul(n, static_cast<uint64_t>(std::max(e, 0)));
    return n;
}

std::string gib(uint64_t bytes) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1ull << 30));
    return buf;
}

constexpr uint64_t kMaxIndex = INT32_MAX;  // Halide's int32 strides and extents (no large_buffers)

// A tensor that Halide can index: int32 strides (check_tensor_shape) and at most
// 2^31 - 1 elements in all.
Status check_indexable(const std::string &what, const TorchShape &shape) {
    if (Status s = check_tensor_shape(shape); !s) return s.prefixed(what + ": ");
    if (elements(shape) > kMaxIndex) {
        return Status::error(what + " " + shape_string(shape) + " would have " + std::to_string(elements(shape)) +
                             " elements, more than the 2147483647 a Halide buffer can index");
    }
    return Status::ok();
}

bool parse_seed(const std::string &text, uint64_t *seed) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *seed);
    return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Status check_problem_size(const Problem &p) {
    const ModuleSpec &spec = *p.module->spec;
    const HyperParams &hp = p.hp;
    if (Status s = check_indexable("--shape", p.shape); !s) return s;
    const int C = p.shape[1];
    // Weight shapes are products of C, B and r, made in int by the module's spec:
    // their product must fit before the spec is asked.
    uint64_t factor = static_cast<uint64_t>(C);
    std::string named = "C (" + std::to_string(C) + ")";
    if (spec.uses & uses_num_basis) {
        factor = saturating_mul(factor, hp.num_basis);
        named += " x --num-basis " + std::to_string(hp.num_basis);
    }
    if (spec.uses & uses_expansion) {
        factor = saturating_mul(factor, hp.expansion);
        named += " x --expansion " + std::to_string(hp.expansion);
    }
    if (factor > kMaxIndex) {
        return Status::error(named + " is more than 2147483647: the weights would be larger than a Halide buffer can index");
    }
    if (spec.uses & uses_kernel_size) {
        // The padded plane, k//2 on each side, is indexed in int32 too.
        const uint64_t padded = saturating_mul(saturating_mul(static_cast<uint64_t>(p.shape[2]) + hp.kernel_size, static_cast<uint64_t>(p.shape[3]) + hp.kernel_size), C);
        if (padded > kMaxIndex) {
            return Status::error("--kernel-size " + std::to_string(hp.kernel_size) + " at --shape " +
                                 shape_string(p.shape) +
                                 ": the padded input would have more than 2147483647 elements");
        }
    }
    const TorchShape input = module_input_shape(spec, p.shape, hp);
    if (Status s = check_indexable("the input", input); !s) return s;
    const TorchShape output = module_output_shape(spec, input, C, hp);
    if (Status s = check_indexable("the output", output); !s) return s;
    uint64_t weights = 0;
    for (const WeightSpec &w : spec.weights(C, hp)) {
        if (Status s = check_indexable("the weight '" + w.name + "'", w.shape); !s) return s;
        weights += elements(w.shape);
    }
    // At the peak: the input, the output and x's copy floor (float), the weights and
    // the library's form of them, and the reference's result in double.
    const uint64_t bytes = 4 * (2 * elements(p.shape) + elements(input) + elements(output) + 2 * weights) +
                           8 * elements(output);
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    const uint64_t memory = pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
    if (memory > 0 && bytes > memory) {
        return Status::error("the problem needs about " + gib(bytes) +
                             " (input, output, weights and the reference's float64 result), more than this machine's " +
                             gib(memory) + " of memory");
    }
    return Status::ok();
}

Status make_problem(const ProblemOptions &o, Problem *p) {
    p->module = find_module(o.module);
    if (!p->module) {
        std::string known;
        for (const Module &m : modules()) known += std::string(known.empty() ? "" : ", ") + m.spec->name;
        return Status::error("unknown module '" + printable(o.module) + "' (known: " + known + ")");
    }
    if (!parse_device(o.device, &p->device)) {
        return Status::error("unknown device '" + printable(o.device) + "' (known: cpu, opencl, cuda)");
    }
    TorchShape shape;
    if (Status s = parse_torch_shape(o.shape, &shape); !s) return Status::error("--shape " + printable(s.message()));
    p->shape = shape;
    p->hp = p->module->spec->defaults;
    if (Status s = check_schedule(o.schedule, p->device); !s) return s;
    p->schedule = o.schedule;
    if (!parse_seed(o.seed, &p->seed)) {
        return Status::error("--seed '" + printable(o.seed) + "' is not an integer from 0 to 18446744073709551615");
    }
    const ModuleSpec &spec = *p->module->spec;
    for (const HyperParamInfo &h : hyper_param_table()) {
        const int given = o.hyper.*h.field;
        if (given == kNotGiven) continue;
        if (!(spec.uses & h.use)) {
            const std::string takes = hyper_flags(spec, spec.defaults);
            return Status::error(std::string(spec.name) + " takes no " + h.flag + " (its defaults:" +
                                 (takes.empty() ? std::string(" none") : takes) + ")");
        }
        if (given < 1) return Status::error(std::string(h.flag) + " must be at least 1");
        p->hp.*h.field = given;
    }
    for (const HyperParamInfo &h : hyper_param_table()) {
        if (h.odd_why && (spec.uses & h.use) && p->hp.*h.field % 2 == 0) {
            return Status::error(std::string(h.flag) + " must be odd: " + h.odd_why);
        }
    }
    return check_problem_size(*p);
}

Status apply_cpu_target(const std::string &target, const std::string &devices) {
    std::vector<std::string> names;
    std::stringstream list(devices);
    for (std::string name; std::getline(list, name, ',');) names.push_back(name);
    if (std::find(names.begin(), names.end(), "cpu") == names.end()) {
        return Status::error("--cpu-target applies to --device cpu; the " + printable(devices) +
                             " libraries' host code is built for the baseline " + cpu_targets().back() + " alone");
    }
    return force_cpu_target(target).prefixed("--cpu-target: ");
}

int run_list() {
    std::cout << "Modules (weights as PyTorch state_dict keys, shapes at C=64 and the defaults shown):\n";
    for (const Module &m : modules()) {
        const ModuleSpec &spec = *m.spec;
        std::cout << "  " << spec.name << "  (" << spec.title << ")  " << spec.formula << "\n";
        std::cout << "      defaults:" << (spec.uses ? hyper_flags(spec, spec.defaults) : " none") << "\n";
        for (const WeightSpec &w : spec.weights(64, spec.defaults)) {
            std::cout << "      " << w.name << " " << shape_string(w.shape) << (w.parameter ? "" : "  (buffer)") << "\n";
        }
        std::cout << "      parameters: " << format_count(parameter_count(spec, 64, spec.defaults)) << "\n";
    }
    if (!aliases().empty()) std::cout << "Aliases:\n";
    for (const Alias &a : aliases()) {
        std::cout << "  " << a.name << "  (" << a.title << ") = " << a.module->spec->name << "\n";
    }
    std::cout << "CPU targets built, best first (--cpu-target NAME runs one):\n";
    const std::string picked = cpu_target_picked();
    for (const std::string &t : cpu_targets()) {
        std::cout << "  " << t << ": "
                  << (t == picked ? "the dispatch's pick here" : cpu_can_run(t) ? "runs here" : "not on this CPU") << "\n";
    }
    std::cout << "Devices built:\n";
    for (Device d : built_devices()) {
        Status s = device_available(d);
        std::cout << "  " << device_name(d) << ": " << (s ? "available" : "not available: " + s.message()) << "\n";
    }
    std::cout << "Schedules built (hand, and the autoscheduled twins of -DPRCM_AUTOSCHEDULERS):\n";
    for (Device d : built_devices()) {
        std::cout << "  " << device_name(d) << ":";
        for (const std::string &schedule : built_schedules(d)) {
            const std::string failed = join(modules_not_compiled(d, schedule));
            std::cout << " " << schedule << (failed.empty() ? "" : " (did not compile: " + failed + ")");
        }
        std::cout << "\n";
    }
    // A tuning record (-DPRCM_TUNING) replaces the hand knobs of the libraries it names.
    std::cout << "Tuned libraries (-DPRCM_TUNING; the others run the hand schedules' knobs):";
    bool any = false;
    for (const Module &m : modules()) {
        for (const Library &lib : m.libraries) {
            if (!lib.tuning.record) continue;
            std::cout << "\n  " << m.spec->name << " " << device_name(lib.device) << ": " << schedule_in_use(lib);
            any = true;
        }
    }
    std::cout << (any ? "\n" : " none\n");
    return 0;
}

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
        return report_error("verify", Status::unavailable("no " + schedule + " twins in this build (configure with "
                                                          "-DPRCM_AUTOSCHEDULERS=" + find_schedule(schedule)->autoscheduler + ")"));
    }
    const std::string suffix = hand ? "" : " (" + schedule + ")";
    int failed = 0, code = exit_ok;
    for (const Module &m : modules()) {
        for (Device d : devices) {
            if (Status s = device_available(d); !s) {
                std::cout << "SKIPPED " << m.spec->name << " on " << device_name(d) << suffix << ": " << s.message() << "\n";
                continue;
            }
            // A twin its autoscheduler could not compile is reported; the build already warned.
            if (const FailedLibrary *f = m.failure(d, schedule)) {
                std::cout << "NOT COMPILED " << m.spec->name << " on " << device_name(d) << suffix << ": " << f->error << "\n";
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
            const std::string forced = d == Device::cpu && cpu_target_forced() ? " (" + cpu_target_selected() + ")" : "";
            std::cout << (passed == cases ? "PASSED  " : "FAILED  ") << m.spec->name << " on " << device_name(d) << forced
                      << suffix << ": " << passed << "/" << cases << " shapes, max abs err " << format_sci(max_abs) << "\n";
        }
    }
    return failed ? code : exit_ok;
}

}  // namespace prcm::cli
