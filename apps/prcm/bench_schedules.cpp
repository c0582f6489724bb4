// `prcm bench schedules`: every module at three shapes, the hand schedule against each
// autoscheduled twin built, all verified, timed together with the copy floor.
#include "experiments.h"

#include "prcm/run.h"

#include <deque>
#include <iostream>

namespace prcm::cli {

namespace {

const char *const kSchedulesTitle = "Hand schedules against the autoscheduled twins";
// The notebooks' latency shape (the autoschedulers' estimates), a small map with more
// channels (the resolution sweep's C=128 at 16x16: per-call overhead and the per-sample
// vectors weigh more), and a batch (8x64x32x32: twice the elements, in 8 samples). Not
// 8x8: there the Mullapudi2016 and Adams2019 twins of most modules refuse the shape
// (their tiles assume W >= 16: `prcm verify --all --schedule S` shows where each refuses).
const std::vector<TorchShape> kScheduleShapes{{1, 64, 64, 64}, {1, 128, 16, 16}, {8, 64, 32, 32}};

// One line per block and shape: each twin's median against the hand schedule's; then
// the summary lines, one per twin schedule.
void print_against_hand(Device device, const std::vector<std::string> &schedules, const std::vector<Row> &rows,
                        std::vector<std::string> &summary) {
    Table pivot{{"Block", "Input", "hand (ms)"}, {}};
    for (size_t k = 1; k < schedules.size(); k++) {
        pivot.header.push_back(schedules[k] + " (ms)");
        pivot.header.push_back("vs hand");
    }
    pivot.header.push_back("Copy (ms)");
    std::map<std::string, std::vector<double>> ratios;  // twin / hand, per schedule
    std::map<std::string, int> wins;
    for (size_t i = 0; i < rows.size(); i += schedules.size()) {
        const Row &hand = rows[i];
        std::vector<std::string> line{hand.config->label, shape_text(hand.config->shape),
                                      hand.measured() ? format_ms(hand.m.block.median) : "-"};
        double copy = hand.measured() ? hand.m.copy.median : 0;
        for (size_t k = 1; k < schedules.size(); k++) {
            const Row &twin = rows[i + k];
            if (!twin.measured()) {
                line.push_back(twin.verdict == "NOT COMPILED" ? "not compiled" : twin.verdict);
                line.push_back("-");
                continue;
            }
            if (copy == 0) copy = twin.m.copy.median;
            line.push_back(format_ms(twin.m.block.median));
            if (hand.measured()) {
                const double ratio = twin.m.block.median / hand.m.block.median;
                line.push_back(format_fixed(ratio, 2) + "x");
                ratios[schedules[k]].push_back(ratio);
                if (ratio < 1) wins[schedules[k]]++;
            } else {
                line.push_back("-");
            }
        }
        line.push_back(copy > 0 ? format_ms(copy) : "-");
        pivot.rows.push_back(line);
    }
    std::cout << "\nmedian latency; 'vs hand' is the twin's median over the hand schedule's "
                 "(below 1.00x: the twin is faster):\n";
    pivot.print();
    std::cout << "\n=== summary on " << device_name(device) << " (derived from the measurements above, "
              << (rows.empty() ? 0 : rows.front().repeat) << " timed calls each)\n";
    for (size_t k = 1; k < schedules.size(); k++) {
        const std::vector<double> &v = ratios[schedules[k]];
        std::string line = schedules[k] + ": ";
        if (v.empty()) {
            line += "nothing measured";
        } else {
            const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
            line += "faster than hand in " + std::to_string(wins[schedules[k]]) + " of " + std::to_string(v.size()) +
                    "; its time over hand's: geometric mean " + format_fixed(geometric_mean(v), 2) + "x, from " +
                    format_fixed(*lo, 2) + "x to " + format_fixed(*hi, 2) + "x";
        }
        const std::string not_compiled = join(modules_not_compiled(device, schedules[k]));
        if (!not_compiled.empty()) line += "; did not compile: " + not_compiled;
        std::cout << "- " << line << "\n";
        summary.push_back(std::string(device_name(device)) + ": " + line);
    }
}

}  // namespace

// The hand schedule and the twins built on `d`, but the bottleneck's flat and channels twins:
// forms the hand schedule itself calls at some planes (`bench --module ... --schedule flat`
// times one).
static std::vector<std::string> compared_schedules(Device d) {
    std::vector<std::string> schedules = built_schedules(d);
    std::erase(schedules, std::string(kFlatSchedule));
    std::erase(schedules, std::string(kChannelsSchedule));
    return schedules;
}

int run_schedules(const ExperimentOptions &o, const std::vector<Device> &available) {
    bool any_twins = false;
    for (Device d : available) any_twins = any_twins || compared_schedules(d).size() > 1;
    if (!any_twins) {
        return report_error("bench",
                            Status::unavailable("schedules: no autoscheduled twins in this build to compare with "
                                                "the hand schedules (configure with "
                                                "-DPRCM_AUTOSCHEDULERS=\"Mullapudi2016;Adams2019;Li2018\", "
                                                "or Anderson2021 for CUDA)"));
    }
    TimingOptions base = o.timing;
    if (base.threads > 0) set_cpu_threads(base.threads);
    std::cout << "machine: " << machine_line(available.front(), base.threads) << ", CPU target "
              << cpu_target_selected() << "\n";
    std::cout << "\n=== schedules: " << kSchedulesTitle << "  [autoscheduler estimates: 1x64x64x64]\n";

    std::deque<Config> configs;  // rows point at them
    std::vector<nlohmann::json> rows_json;
    std::vector<std::string> summary;
    int failures = 0, code = exit_ok;
    for (Device device : available) {
        std::vector<std::string> schedules = compared_schedules(device);
        if (schedules.size() < 2) {
            std::cout << device_name(device) << ": no autoscheduled twins in this build\n";
            continue;
        }
        TimingOptions t = base;
        resolve_protocol(device, &t);
        std::vector<Row> rows;
        Progress progress(modules().size() * kScheduleShapes.size());
        for (const Module &module : modules()) {
            for (const TorchShape &shape : kScheduleShapes) {
                progress.step("schedules",
                              std::string(module.spec->title) + " " + shape_text(shape) + " " + device_name(device));
                std::vector<Problem> problems;
                std::vector<Row> group;
                for (const std::string &schedule : schedules) {
                    Config c;
                    c.label = module.spec->title;
                    c.module = module.spec->name;
                    c.shape = shape;
                    c.part = schedule;
                    c.sweep = shape_text(shape);
                    c.sweep_value = shape[1];
                    c.schedule = schedule;
                    configs.push_back(c);
                    Row r;
                    r.config = &configs.back();
                    r.module = &module;
                    r.problem = make_problem(module, device, shape);
                    r.problem.schedule = schedule;
                    r.params = parameter_count(*module.spec, shape[1], r.problem.hp);
                    r.warmup = t.warmup;
                    r.repeat = t.repeat;
                    group.push_back(std::move(r));
                    problems.push_back(group.back().problem);
                }
                std::vector<Measurement> ms = measure_together(problems, t);
                for (size_t i = 0; i < group.size(); i++) {
                    Row &r = group[i];
                    r.m = std::move(ms[i]);
                    const FailedLibrary *failed = module.failure(device, r.problem.schedule);
                    r.verdict = failed       ? "NOT COMPILED"
                                : r.m.status ? verdict_name(r.m.verified.comparison.verdict)
                                             : "FAILED";
                    // A twin its autoscheduler could not compile is reported (below, and by the
                    // build), not counted as a failure: there is nothing to verify.
                    if (!r.m.ok() && !failed) {
                        failures++;
                        code = std::max(code, exit_code(r.m));
                    }
                    rows.push_back(std::move(r));
                }
            }
        }
        progress.finish();
        std::cout << "-- " << device_name(device) << " (" << t.warmup << " warm-up / " << t.repeat
                  << " timed calls; each block's schedules and the copy timed in turn, call by call)\n";
        print_long_table(rows, true);
        print_against_hand(device, schedules, rows, summary);
        for (const Row &r : rows) {
            rows_json.push_back(result_row_json(result_of("schedules", r)));
            if (!r.m.ok() && r.module)
                std::cout << "  " << r.verdict << " " << r.problem.replay() << ": " << r.m.error() << "\n";
        }
    }
    const nlohmann::json doc = results_json(context_json(available, base.threads), rows_json, {"schedules"}, summary);
    return finish_experiments(o, doc, failures, code);
}

}  // namespace prcm::cli
