// The `prcm tune` and `prcm tune-time` commands: options checked, outputs, the loop over modules, the outcome.
#include "tune.h"

#include "builder.h"
#include "record.h"
#include "runner.h"
#include "tune_internal.h"
#include "tuner.h"

#include "../experiments.h"

#include "prcm/files.h"

#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <thread>

namespace prcm::cli {

int run_tune_time(const TuneTimeOptions &o) {
    Device device;
    if (!parse_device(o.tune.device, &device)) return report_error("tune-time", Status::error("unknown device"));
    std::vector<Search> searches;
    if (Status s = tuned_problems(o.tune, device, &searches); !s) return report_error("tune-time", s);
    if (searches.size() != 1 || o.rounds < 1)
        return report_error("tune-time", Status::error("give one --module and --rounds >= 1"));
    const Search &search = searches.front();
    auto load = [&](const std::string &spec) {
        const size_t colon = spec.rfind(':');
        if (colon == std::string::npos) return LoadedLibrary{Module{}, "'" + spec + "' is not PATH:FUNCTION", "", ""};
        return load_library(*search.module, device, spec.substr(0, colon), spec.substr(colon + 1));
    };
    const LoadedLibrary hand = load(o.hand), candidate = load(o.candidate);
    for (const LoadedLibrary *l : {&hand, &candidate})
        if (!l->ok()) return report_error("tune-time", Status::failed(l->error));
    if (o.tune.threads > 0) set_cpu_threads(o.tune.threads);
    TimingOptions timing;
    timing.threads = o.tune.threads;
    resolve_protocol(device, &timing);
    LocalRunner runner(timing);
    json rounds = json::array();
    for (int round = 0; round < o.rounds; round++) {
        const std::vector<ProblemOutcome> outcome = runner.run(hand, {&candidate}, search.problems).front();
        json ratios = json::array();
        for (size_t pi = 0; pi < outcome.size(); pi++) {
            if (!outcome[pi].verified || outcome[pi].hand_median_ms <= 0) {
                return report_error("tune-time",
                                    Status::failed(problem_key(search.problems[pi]) + ": " + outcome[pi].error));
            }
            ratios.push_back(outcome[pi].median_ms / outcome[pi].hand_median_ms);
        }
        rounds.push_back(ratios);
    }
    json problems = json::array();
    for (const Problem &p : search.problems) problems.push_back(problem_key(p));
    if (Status s = write_json(o.out, {{"problems", problems}, {"ratios", rounds}}); !s)
        return report_error("tune-time", s);
    return exit_ok;
}

int run_tune(const TuneOptions &o) {
    Device device;
    if (!parse_device(o.device, &device)) {
        return report_error("tune",
                            Status::error("unknown device '" + printable(o.device) + "' (known: cpu, opencl, cuda)"));
    }
    if (o.all == !o.module.empty()) return report_error("tune", Status::error("give --module NAME or --all"));
    double budget = 0;
    if (!parse_budget(o.budget, &budget)) {
        return report_error("tune", Status::error("--budget '" + printable(o.budget) +
                                                  "' is not a duration such as 90s, 10m or 1h (at most a week)"));
    }
    std::vector<Search> searches;
    if (Status s = tuned_problems(o, device, &searches); !s) return report_error("tune", s);
    if (searches.empty()) return report_error("tune", Status::error("nothing to tune"));
    bool built = false;
    for (Device d : built_devices()) built |= d == device;
    if (!built) {
        return report_error(
            "tune", Status::unavailable(std::string(device_name(device)) +
                                        ": this build has no libraries for it (PRCM_BUILD_OPENCL / PRCM_BUILD_CUDA)"));
    }
    if (Status s = device_available(device); !s)
        return report_error("tune", s.prefixed(std::string(device_name(device)) + ": "));

    const std::string out = o.out.empty() ? default_record_path() : o.out;
    if (o.out.empty()) ::mkdir("tuning", 0777);  // the default's folder; an error shows in the check below
    if (Status s = check_outputs({out}); !s) return report_error("tune", s);
    Record record;
    struct stat st;
    const bool exists = ::stat(out.c_str(), &st) == 0;
    if (exists && !o.resume) {
        return report_error("tune",
                            Status::error(out + " exists: give --resume to add to its trials, or another --out"));
    }
    if (exists) {
        if (Status s = read_record(out, &record); !s) return report_error("tune", s);
    }
    const std::string model = device_model(device);
    for (const Trial &t : record.trials) {
        if (t.device == device_name(device) && t.device_model != model) {
            return report_error("tune", Status::error(out + " holds trials of " + t.device + " on " + t.device_model +
                                                      ", not this machine's " + model + ": tune into another --out"));
        }
    }

    std::string cpu_target = cpu_target_selected();
    if (!o.cpu_target.empty()) cpu_target = o.cpu_target;
    const std::string target = device_target(device, cpu_target);
    const std::string generator = o.generator.empty() ? default_generator_path() : o.generator;
    if (::access(generator.c_str(), X_OK) != 0) {
        return report_error("tune",
                            Status::unavailable("no generator executable at " + generator +
                                                " (prcm tune builds candidates with the project's prcm_generators; "
                                                "give --generator PATH)"));
    }
    const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    const int jobs = o.jobs > 0 ? o.jobs : cores;
    std::error_code ec;
    std::string work = (std::filesystem::temp_directory_path(ec) / "prcm-tune-XXXXXX").string();
    if (!::mkdtemp(work.data())) return report_error("tune", Status::failed("cannot make a work folder under " + work));

    TimingOptions timing;
    timing.threads = o.threads;
    resolve_protocol(device, &timing);
    if (o.threads > 0) set_cpu_threads(o.threads);
    const int threads = device == Device::cpu ? (o.threads > 0 ? o.threads : default_threads()) : 0;

    LocalBuilder builder(generator, default_linker(), work, jobs);
    LocalRunner runner(timing);
    Tuner tuner(o, device, target, out, work, record, builder, runner, std::max(2, 2 * jobs), threads);

    std::cout << "tuning  " << searches.size() << (searches.size() == 1 ? " module" : " modules") << " on "
              << device_name(device) << " (" << target << "), " << model << ", "
              << (device == Device::cpu ? std::to_string(threads) + " threads, " : std::string()) << "budget "
              << format_duration(budget) << "\n";
    std::cout << "record  " << out << (exists ? " (resumed: " + std::to_string(record.trials.size()) + " trials)" : "")
              << "\n";
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(budget));
    int code = exit_ok;
    for (size_t i = 0; i < searches.size(); i++) {
        // Each module gets an equal share of what is left, so time one does not use passes on.
        const auto deadline = Clock::now() + (end - Clock::now()) / static_cast<long>(searches.size() - i);
        const std::string label = std::to_string(i + 1) + "/" + std::to_string(searches.size()) + " " +
                                  searches[i].module->spec->name + " " + device_name(device);
        std::string error;
        if (!tuner.tune(searches[i], deadline, label, &error)) {
            std::fprintf(stderr, "%sprcm tune: %s\n", stderr_mid_line ? "\n" : "", error.c_str());
            stderr_mid_line = 0;
            code = exit_failed;
        }
    }
    if (stderr_mid_line) {
        std::fprintf(stderr, "\n");
        stderr_mid_line = 0;
    }
    std::filesystem::remove_all(work, ec);

    // The outcome per module and shape class.
    std::map<std::string, int> trials, rejected;
    for (const Trial &t : record.trials) {
        if (t.device != device_name(device) || t.target != target) continue;
        trials[t.module]++;
        if (t.failed()) rejected[t.module]++;
    }
    Table table{{"Module", "Class", "Trials", "Rejected", "Schedule", "vs hand", "Knobs (trial)"}, {}};
    for (const ClassWinner &w : class_winners(record)) {
        if (w.device != device_name(device) || w.target != target) continue;
        const bool searched = std::any_of(searches.begin(), searches.end(),
                                          [&](const Search &s) { return w.module == s.module->spec->name; });
        if (!searched) continue;
        table.rows.push_back(
            {w.module, w.shape_class, std::to_string(trials[w.module]), std::to_string(rejected[w.module]),
             w.trial ? "tuned" : "hand", w.trial ? ratio_string(w.ratio, 1) : "-",
             w.trial ? w.trial->knobs + " (" + std::to_string(w.trial->id) + ")" : "no confirmed gain"});
    }
    std::cout << "\n";
    table.print();
    std::cout << "\n'vs hand' is the winner's time over the hand schedule's, interleaved in a process that loads only "
                 "the two (median of "
              << kConfirmRounds << " rounds, geometric mean over the class's shapes); a candidate wins at "
              << format_fixed(kWinningRatio, 2)
              << "x or better, faster in every round, after passing the awkward-shape grid.\n";
    std::cout << "apply   cmake -DPRCM_TUNING=" << out << " (then rebuild)\n";
    if (Status s = write_record(out, record); !s) return report_error("tune", s);
    return code;
}

}  // namespace prcm::cli
