// prcm: verify and benchmark the generated channel-recalibration blocks.
#include "experiments.h"

#include <CLI/CLI.hpp>

#include <utility>

namespace {

// `with_data`: the problem's data is seeded (verify, bench), not read from files (run).
void add_problem_options(CLI::App *cmd, prcm::cli::ProblemOptions &o, bool module_required, bool with_data = true) {
    auto *module = cmd->add_option("--module,-m", o.module, "Module name, e.g. prcm, affine_prcm (see `prcm list`)");
    if (module_required) module->required();
    if (with_data) {
        cmd->add_option("--shape", o.shape, "The experiment's tensor x, N,C,H,W")->capture_default_str();
        cmd->add_option("--seed", o.seed, "Seed of the random input and weights")->capture_default_str();
    }
    cmd->add_option("--num-basis,-b", o.num_basis, "Number of bases B (PRCM family; default 8)");
    cmd->add_option("--reduction", o.reduction, "SE reduction r: hidden C // r (default 4)");
    cmd->add_option("--expansion", o.expansion, "Expansion r: hidden C * r or B * r (default per module)");
    cmd->add_option("--pool-size", o.pool_size, "PRCM_AdaptivePool output size ps (default 2)");
    cmd->add_option("--kernel-size", o.kernel_size, "InvertedBottleneck depthwise kernel k, odd (default 7)");
    cmd->add_option("--device,-d", o.device, "cpu, opencl or cuda (an experiment takes a list: cpu,opencl)")
        ->capture_default_str();
}

void add_timing_options(CLI::App *cmd, prcm::cli::TimingOptions &t) {
    cmd->add_option("--warmup", t.warmup, "Warm-up calls (default: CPU 20, GPU 100)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--repeat", t.repeat, "Timed calls (default: CPU 100, GPU 500)")->check(CLI::PositiveNumber);
    cmd->add_option("--threads", t.threads, "CPU threads (default: one per core)")->check(CLI::NonNegativeNumber);
}

}  // namespace

int main(int argc, char **argv) {
    using namespace prcm::cli;
    CLI::App app{"prcm: Halide-compiled PRCM-family blocks, verified against a naive reference and timed.\n"
                 "With no subcommand: verify and benchmark every module at 1x64x64x64 on the CPU."};
    app.require_subcommand(0, 1);

    TimingOptions suite_timing;
    add_timing_options(&app, suite_timing);

    auto *list = app.add_subcommand("list", "List the modules, their weights and the devices built");
    auto *params = app.add_subcommand("params", "The notebooks' parameter-count tables, from the registry");

    ProblemOptions verify_opts;
    bool verify_all = false;
    auto *verify = app.add_subcommand("verify", "Compare a library with the naive reference on seeded data");
    add_problem_options(verify, verify_opts, false);
    verify->add_flag("--all", verify_all, "Every module on every device built, over the awkward-shape grid");

    ProblemOptions bench_opts;
    ExperimentOptions experiment;
    std::string experiment_names;
    for (const std::string &id : experiment_ids()) experiment_names += id + ", ";
    auto *bench = app.add_subcommand("bench", "Verify, then time a module (--module) or an experiment of the notebooks");
    bench->add_option("experiment", experiment.name, "Experiment: " + experiment_names + "or all");
    add_problem_options(bench, bench_opts, false);
    add_timing_options(bench, experiment.timing);
    bench->add_option("--json", experiment.json_path, "Write the results, with the machine, as JSON");
    bench->add_option("--csv", experiment.csv_path, "Write an experiment's results as CSV");

    std::string report_input, report_out = "report";
    auto *report = app.add_subcommand("report", "Draw the sweeps of a `bench --json` file as SVG charts with an index page");
    report->add_option("results", report_input, "JSON written by prcm bench ... --json")->required();
    report->add_option("--out,-o", report_out, "Output directory")->capture_default_str();

    RunOptions run_opts;
    auto *run = app.add_subcommand("run", "Run a module on weights from a safetensors file and an input .npy");
    add_problem_options(run, run_opts.problem, true, false);
    run->add_option("--weights,-w", run_opts.weights, "safetensors file with the module's state_dict")->required();
    run->add_option("--input,-i", run_opts.input, "float32 .npy input (NCHW)")->required();
    run->add_option("--output,-o", run_opts.output, "float32 .npy output, written atomically")->required();
    run->add_flag("--verify", run_opts.verify, "Also compare with the naive reference before writing");
    run->add_option("--repeat", run_opts.timing.repeat, "Also time this many calls on these weights and input")
        ->check(CLI::PositiveNumber);
    run->add_option("--warmup", run_opts.timing.warmup, "Warm-up calls before timing (default 20)")
        ->check(CLI::NonNegativeNumber);
    run->add_option("--threads", run_opts.timing.threads, "CPU threads (default: one per core)")
        ->check(CLI::NonNegativeNumber);
    run->add_option("--json", run_opts.json_path, "With --repeat: write the timing as JSON");

    CLI11_PARSE(app, argc, argv);

    // `prcm --threads 1 bench ...` means what it says: the suite's timing options given
    // before bench or run apply to it unless it sets its own; elsewhere they are an error.
    CLI::App *timed = *bench ? bench : *run ? run : nullptr;
    TimingOptions *timed_options = *bench ? &experiment.timing : *run ? &run_opts.timing : nullptr;
    const std::pair<const char *, int TimingOptions::*> timing_fields[] = {
        {"--warmup", &TimingOptions::warmup}, {"--repeat", &TimingOptions::repeat}, {"--threads", &TimingOptions::threads}};
    for (const auto &[name, field] : timing_fields) {
        if (app.get_option(name)->count() == 0 || app.get_subcommands().empty()) continue;
        if (!timed) {
            std::cerr << "prcm: " << name << " applies to bench, run and the default suite, not to "
                      << app.get_subcommands().front()->get_name() << "\n";
            return 2;
        }
        if (timed->get_option(name)->count() == 0) timed_options->*field = suite_timing.*field;
    }

    if (*list) return run_list();
    if (*params) return run_params();
    if (*verify) {
        if (verify_all) return run_verify_all();
        if (verify_opts.module.empty()) {
            std::cerr << "prcm verify: give --module NAME or --all\n";
            return 2;
        }
        return run_verify(verify_opts);
    }
    if (*bench) {
        if (!experiment.name.empty()) {
            if (!bench_opts.module.empty()) {
                std::cerr << "prcm bench: give an experiment or --module, not both\n";
                return 2;
            }
            experiment.device = bench_opts.device;
            return run_experiments(experiment);
        }
        if (bench_opts.module.empty()) {
            std::cerr << "prcm bench: give an experiment (" << experiment_names << "all) or --module NAME\n";
            return 2;
        }
        return run_bench(bench_opts, experiment.timing, experiment.json_path);
    }
    if (*report) return run_report(report_input, report_out);
    if (*run) return run_run(run_opts);
    return run_default_suite(suite_timing);
}
