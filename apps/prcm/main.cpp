// prcm: verify and benchmark the generated channel-recalibration blocks.
#include "experiments.h"
#include "tune/tune.h"

#include "prcm/files.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <set>
#include <sstream>
#include <utility>

// The options several subcommands share, each with its help text and its bounds.
namespace prcm::cli {
namespace {

// A count option bounded as it is parsed: the message names the bounds.
CLI::Validator bounded(int lo, int hi, const std::string &meaning = "") {
    return CLI::Validator(
        [lo, hi, meaning](std::string &text) -> std::string {
            long long v = 0;
            std::istringstream in(text);
            if (!(in >> v) || !in.eof()) return "'" + printable(text) + "' is not an integer";
            if (v < lo || v > hi) {
                return "'" + text + "' is out of range: from " + std::to_string(lo) + " to " + std::to_string(hi) +
                       meaning;
            }
            return "";
        },
        "INT in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

// "default 8", or "default per module, see `prcm list`" where the modules that
// read it start from different values.
std::string hyper_default_text(const HyperParamInfo &h) {
    std::set<int> values;
    for (const Module &m : modules())
        if (m.spec->uses & h.use) values.insert(m.spec->defaults.*h.field);
    if (values.size() == 1) return "default " + std::to_string(*values.begin());
    return "default per module, see `prcm list`";
}

// `with_data`: the problem's data is seeded (verify, bench), not read from files (run).
// `device_list`: the command takes a list of devices for an experiment (bench).
void add_problem_options(CLI::App *cmd, ProblemOptions &o, bool module_required, bool with_data = true,
                         bool device_list = false) {
    auto *module =
        cmd->add_option("--module,-m", o.module,
                        "Module: its name or the notebook's class, e.g. prcm, PRCM, SE_Module (see `prcm list`)");
    if (module_required) module->required();
    if (with_data) {
        cmd->add_option("--shape", o.shape, "The experiment's tensor x, N,C,H,W")->capture_default_str();
        cmd->add_option("--seed", o.seed, "Seed of the random input and weights")->capture_default_str();
    }
    for (const HyperParamInfo &h : hyper_param_table()) {
        const std::string names = std::string(h.flag) + (*h.short_flag ? std::string(",") + h.short_flag : "");
        cmd->add_option(names, o.hyper.*h.field, std::string(h.help) + " (" + hyper_default_text(h) + ")");
    }
    cmd->add_option(
           "--device,-d", o.device,
           device_list ? "cpu, opencl or cuda (an experiment takes a list: cpu,opencl)" : "cpu, opencl or cuda")
        ->capture_default_str();
}

// One target of the multi-target CPU libraries, for the whole process (verify, bench, run).
void add_cpu_target_option(CLI::App *cmd, std::string &target) {
    cmd->add_option("--cpu-target", target,
                    "Run the CPU libraries' code for TARGET, one of PRCM_CPU_TARGETS, instead of the multi-target "
                    "dispatch's pick (`prcm list` names them and which this CPU runs; one it cannot run exits 3); "
                    "--device cpu only")
        ->type_name("TARGET");
}

// verify and bench: which library of the module runs.
void add_schedule_option(CLI::App *cmd, std::string &schedule) {
    cmd->add_option("--schedule", schedule,
                    "hand, or an autoscheduled twin built with -DPRCM_AUTOSCHEDULERS: mullapudi2016, adams2019, "
                    "li2018 (CPU), anderson2021 (CUDA); or untuned: in a build with -DPRCM_TUNING, the hand knobs "
                    "of a library the record tunes; or flat: the bottleneck's CPU twin over a plane's pixels in one "
                    "run; or channels: its CPU twin with vectors over channels (hand calls each at the planes "
                    "where it is faster)")
        ->capture_default_str();
}

void add_timing_options(CLI::App *cmd, TimingOptions &t) {
    cmd->add_option("--warmup", t.warmup, "Warm-up calls (default: CPU 20, GPU 100)")->check(bounded(0, kMaxCalls));
    cmd->add_option("--repeat", t.repeat, "Timed calls (default: CPU 100, GPU 500)")->check(bounded(1, kMaxCalls));
    cmd->add_option("--threads", t.threads, "CPU threads (default: one per core)")
        ->check(bounded(0, kMaxThreads, " (0: one per core)"));
}

}  // namespace
}  // namespace prcm::cli

int main(int argc, char **argv) {
    using namespace prcm::cli;
    // Whole lines on stdout even when it is a pipe and the run is interrupted: a
    // table row is never cut (std::cout writes through stdio: sync_with_stdio stays on).
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    prcm::cli::install_signal_handlers();
    set_command_line(argc, argv);
    CLI::App app{
        "prcm: Halide-compiled PRCM-family blocks, verified against a naive reference and timed.\n"
        "With no subcommand: verify and benchmark every module at 1x64x64x64 on the CPU."};
    app.require_subcommand(0, 1);
    app.footer(exit_code_help());

    TimingOptions suite_timing;
    add_timing_options(&app, suite_timing);
    std::string cpu_target;  // verify, bench and run each take it

    auto *list = app.add_subcommand("list", "List the modules, their weights, the CPU targets and the devices built");
    auto *params = app.add_subcommand("params", "The notebooks' parameter-count tables, from the registry");

    ProblemOptions verify_opts;
    bool verify_all = false;
    auto *verify = app.add_subcommand("verify", "Compare a library with the naive reference on seeded data");
    add_problem_options(verify, verify_opts, false);
    verify->add_flag("--all", verify_all, "Every module on every device built, over the awkward-shape grid");
    add_cpu_target_option(verify, cpu_target);
    add_schedule_option(verify, verify_opts.schedule);

    ProblemOptions bench_opts;
    ExperimentOptions experiment;
    std::string experiment_names;
    for (const std::string &id : experiment_ids()) experiment_names += id + ", ";
    auto *bench =
        app.add_subcommand("bench", "Verify, then time a module (--module) or an experiment of the notebooks");
    bench->add_option("experiment", experiment.name,
                      "Experiment: " + experiment_names +
                          "all (those of the notebooks), or schedules (hand against "
                          "the autoscheduled twins)");
    add_problem_options(bench, bench_opts, false, true, true);
    add_schedule_option(bench, bench_opts.schedule);
    add_timing_options(bench, experiment.timing);
    bench->add_option("--json", experiment.json_path,
                      "Write the results as JSON (README \"Results files\"; `prcm report` reads it)");
    bench->add_option("--csv", experiment.csv_path, "Write the results as CSV, one line per row");
    bool bench_quiet = false;
    bench->add_flag("--quiet,-q", bench_quiet, "No progress on stderr (a terminal shows one line, a log plain lines)");
    add_cpu_target_option(bench, cpu_target);

    ReportOptions report_opts;
    auto *report = app.add_subcommand(
        "report",
        "Turn a results file into SVG charts with an index page (--out), CSV, Markdown tables or Google "
        "Benchmark's JSON");
    report
        ->add_option("results", report_opts.results, "JSON written by `prcm bench ... --json` or `prcm run ... --json`")
        ->required();
    auto *report_out = report->add_option("--out,-o", report_opts.out_dir,
                                          "Charts folder (default: report, when no other output is asked for)");
    report->add_option("--csv", report_opts.csv_path, "Write the rows as CSV");
    report->add_option("--markdown", report_opts.markdown_path, "Write the tables as Markdown (docs/performance.md)");
    report->add_option("--gbench", report_opts.gbench_path,
                       "Write Google Benchmark's JSON (context + benchmarks), for its tools/compare.py");

    RunOptions run_opts;
    auto *run = app.add_subcommand("run", "Run a module on weights from a safetensors file and an input .npy");
    add_problem_options(run, run_opts.problem, true, false);
    run->add_option("--weights,-w", run_opts.weights, "safetensors file with the module's state_dict")->required();
    run->add_option("--input,-i", run_opts.input, "float32 .npy input (NCHW)")->required();
    run->add_option("--output,-o", run_opts.output, "float32 .npy output, written atomically")->required();
    run->add_flag("--verify", run_opts.verify, "Also compare with the naive reference before writing");
    run->add_option("--repeat", run_opts.timing.repeat, "Also time this many calls on these weights and input")
        ->check(bounded(1, kMaxCalls));
    run->add_option("--warmup", run_opts.timing.warmup, "Warm-up calls before timing (default 20)")
        ->check(bounded(0, kMaxCalls));
    run->add_option("--threads", run_opts.timing.threads, "CPU threads (default: one per core)")
        ->check(bounded(0, kMaxThreads, " (0: one per core)"));
    run->add_option("--json", run_opts.json_path, "With --repeat: write the timing as JSON (README \"Results files\")");
    run->add_option("--csv", run_opts.csv_path, "With --repeat: write the timing as CSV");
    add_cpu_target_option(run, cpu_target);

    TuneOptions tune_opts;
    auto *tune = app.add_subcommand(
        "tune",
        "Search the hand schedules' knobs on this machine: every candidate verified, then timed beside the hand "
        "schedule; every trial recorded (README \"Tuning for new hardware\")");
    tune->add_option("--module,-m", tune_opts.module, "Module to tune (see `prcm list`)");
    tune->add_flag("--all", tune_opts.all, "Every module the shapes name (an experiment), or every module");
    tune->add_option("--shapes", tune_opts.shapes,
                     "An experiment whose configurations to tune for (" + experiment_names +
                         "...), or the tensors x, N,C,H,W[;N,C,H,W...] at the notebooks' hyper-parameters")
        ->capture_default_str();
    tune->add_option("--device,-d", tune_opts.device, "cpu, opencl or cuda")->capture_default_str();
    tune->add_option("--budget", tune_opts.budget, "Time for the whole search, e.g. 90s, 10m, 1h; modules share it")
        ->capture_default_str();
    tune->add_option("--threads", tune_opts.threads, "CPU threads of the libraries (default: one per core)")
        ->check(bounded(0, kMaxThreads, " (0: one per core)"));
    tune->add_option("--jobs,-j", tune_opts.jobs, "Candidates compiled at once (default: one per core)")
        ->check(bounded(0, 256, " (0: one per core)"));
    tune->add_option("--out,-o", tune_opts.out, "The tuning record, JSON (default: tuning/<cpu model>.json)");
    tune->add_flag("--resume", tune_opts.resume, "Add to the record at --out; its trials are not repeated");
    tune->add_option("--seed", tune_opts.seed, "Seed of the search's random draws")->capture_default_str();
    tune->add_option("--generator", tune_opts.generator,
                     "The project's generator executable (default: prcm_generators beside prcm)");
    tune->add_option("--cpu-target", tune_opts.cpu_target,
                     "Tune the code of TARGET (one of PRCM_CPU_TARGETS this CPU runs) instead of the dispatch's pick")
        ->type_name("TARGET");
    // The tuner's own child: not for users, so not in --help (group "").
    TuneTimeOptions tune_time_opts;
    auto *tune_time =
        app.add_subcommand("tune-time", "prcm tune's confirmation timing, in a process of its own")->group("");
    tune_time->add_option("--module", tune_time_opts.tune.module)->required();
    tune_time->add_option("--shapes", tune_time_opts.tune.shapes)->required();
    tune_time->add_option("--device", tune_time_opts.tune.device)->required();
    tune_time->add_option("--threads", tune_time_opts.tune.threads)->check(bounded(0, kMaxThreads, ""));
    tune_time->add_option("--rounds", tune_time_opts.rounds)->check(bounded(1, 1000, ""));
    tune_time->add_option("--hand", tune_time_opts.hand)->required();
    tune_time->add_option("--candidate", tune_time_opts.candidate)->required();
    tune_time->add_option("--out", tune_time_opts.out)->required();

    // Every parse error exits 2 (CLI11's own codes are 101-115), --help 0; CLI11's
    // messages are kept, with the user's control characters escaped.
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        std::ostringstream out, err;
        const int code = app.exit(e, out, err);
        std::cout << out.str() << std::flush;
        std::cerr << prcm::printable(err.str(), true) << std::flush;
        return code == 0 ? exit_ok : exit_invalid;
    }

    // `prcm --threads 1 bench ...` means what it says: the suite's timing options given
    // before bench or run apply to it unless it sets its own; elsewhere they are an error.
    CLI::App *timed = *bench ? bench : *run ? run : nullptr;
    TimingOptions *timed_options = *bench ? &experiment.timing : *run ? &run_opts.timing : nullptr;
    const std::pair<const char *, int TimingOptions::*> timing_fields[] = {{"--warmup", &TimingOptions::warmup},
                                                                           {"--repeat", &TimingOptions::repeat},
                                                                           {"--threads", &TimingOptions::threads}};
    for (const auto &[name, field] : timing_fields) {
        if (app.get_option(name)->count() == 0 || app.get_subcommands().empty()) continue;
        if (!timed) {
            std::cerr << "prcm: " << name << " applies to bench, run and the default suite, not to "
                      << app.get_subcommands().front()->get_name() << "\n";
            return exit_invalid;
        }
        if (timed->get_option(name)->count() == 0) timed_options->*field = suite_timing.*field;
    }

    // Before any CPU library runs: each keeps the target of its first call.
    if (!cpu_target.empty()) {
        const char *command = *verify ? "verify" : *bench ? "bench" : "run";
        const std::string devices = *verify  ? (verify_all ? std::string("cpu") : verify_opts.device)
                                    : *bench ? bench_opts.device
                                             : run_opts.problem.device;
        if (prcm::Status s = apply_cpu_target(cpu_target, devices); !s) return report_error(command, s);
    }

    if (*list) return run_list();
    if (*params) return run_params();
    if (*verify) {
        if (verify_all) {
            if (prcm::Status s = check_schedule(verify_opts.schedule, prcm::Device::cpu); !s)
                return report_error("verify", s);
            return run_verify_all(verify_opts.schedule);
        }
        if (verify_opts.module.empty())
            return report_error("verify", prcm::Status::error("give --module NAME or --all"));
        return run_verify(verify_opts);
    }
    if (*bench) {
        set_quiet(bench_quiet);
        if (!experiment.name.empty()) {
            if (!bench_opts.module.empty()) {
                return report_error("bench", prcm::Status::error("give an experiment or --module, not both"));
            }
            if (bench->get_option("--schedule")->count() > 0) {
                return report_error("bench", prcm::Status::error("--schedule applies to --module; `bench schedules` "
                                                                 "runs every schedule built"));
            }
            experiment.device = bench_opts.device;
            return run_experiments(experiment);
        }
        if (bench_opts.module.empty()) {
            return report_error(
                "bench", prcm::Status::error("give an experiment (" + experiment_names + "all) or --module NAME"));
        }
        return run_bench(bench_opts, experiment.timing, experiment.json_path, experiment.csv_path);
    }
    if (*report) {
        report_opts.out_given = report_out->count() > 0;
        return run_report(report_opts);
    }
    if (*run) return run_run(run_opts);
    if (*tune) {
        if (!tune_opts.cpu_target.empty()) {
            if (prcm::Status st = apply_cpu_target(tune_opts.cpu_target, tune_opts.device); !st)
                return report_error("tune", st);
        }
        return run_tune(tune_opts);
    }
    if (*tune_time) return run_tune_time(tune_time_opts);
    return run_default_suite(suite_timing);
}
