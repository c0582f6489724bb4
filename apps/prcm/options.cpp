// The options several subcommands share, defined once: the problem (module, shape,
// hyper-parameters, device), the CPU target, the schedule and the timing, each with its
// help text and its bounds.
#include "options.h"

#include "prcm/files.h"

#include <set>
#include <sstream>

namespace prcm::cli {

// A count option bounded as it is parsed: the message names the bounds.
CLI::Validator bounded(int lo, int hi, const std::string &meaning) {
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

namespace {

// "default 8", or "default per module, see `prcm list`" where the modules that
// read it start from different values.
std::string hyper_default_text(const HyperParamInfo &h) {
    std::set<int> values;
    for (const Module &m : modules())
        if (m.spec->uses & h.use) values.insert(m.spec->defaults.*h.field);
    if (values.size() == 1) return "default " + std::to_string(*values.begin());
    return "default per module, see `prcm list`";
}

}  // namespace

// `with_data`: the problem's data is seeded (verify, bench), not read from files (run).
// `device_list`: the command takes a list of devices for an experiment (bench).
void add_problem_options(CLI::App *cmd, ProblemOptions &o, bool module_required, bool with_data, bool device_list) {
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
                    "of a library the record tunes")
        ->capture_default_str();
}

void add_timing_options(CLI::App *cmd, TimingOptions &t) {
    cmd->add_option("--warmup", t.warmup, "Warm-up calls (default: CPU 20, GPU 100)")->check(bounded(0, kMaxCalls));
    cmd->add_option("--repeat", t.repeat, "Timed calls (default: CPU 100, GPU 500)")->check(bounded(1, kMaxCalls));
    cmd->add_option("--threads", t.threads, "CPU threads (default: one per core)")
        ->check(bounded(0, kMaxThreads, " (0: one per core)"));
}

}  // namespace prcm::cli
