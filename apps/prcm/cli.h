// The `prcm` command line: every subcommand is a function of its options.
#pragma once

#include "format.h"
#include "machine.h"
#include "progress.h"

#include "prcm/verify.h"

#include <climits>
#include <csignal>
#include <string>
#include <vector>

namespace prcm::cli {

// The exit codes of `prcm`, chosen here and nowhere else, by what went wrong (the
// Status's kind, never its message): README "Exit codes", and `prcm --help`.
enum ExitCode : int {
    exit_ok = 0,
    exit_verification_failed = 1,  // a result differs from the reference (or proves nothing)
    exit_invalid = 2,              // bad arguments or input, every command-line parse error included
    exit_unavailable = 3,          // the device cannot run here
    exit_failed = 4,               // the work failed: an output not written, the device failing mid-call
    exit_interrupted = 130,        // SIGINT (128 + 2)
    exit_terminated = 143,         // SIGTERM (128 + 15)
};
int exit_code(const Status &s);
// A verification: passed 0; failed or mistrusted 1; skipped (no device) 3; the library
// could not run (VerifyResult::error with a run) 4.
int exit_code(const VerifyResult &r);
// The table as `prcm --help` prints it under the commands.
const char *exit_code_help();

// SIGINT and SIGTERM remove the output being written and exit 130 or 143 (signals.cpp).
void install_signal_handlers();

// Prints "prcm <command>: <message>" to stderr and returns the Status's exit code.
int report_error(const char *command, const Status &s);

// Outputs are checked before any work starts (prcm/files.h: folder exists and is
// writable, a regular file or none, none an input), and no two outputs are the same.
Status check_outputs(const std::vector<std::string> &outputs, const std::vector<std::string> &inputs = {});

// What selects a problem on the command line.
// Hyper-parameters not given (kNotGiven) take the module's notebook defaults.
constexpr int kNotGiven = INT_MIN;
inline HyperParams hyper_params_not_given() {
    HyperParams hp;
    for (const HyperParamInfo &h : hyper_param_table()) hp.*h.field = kNotGiven;
    return hp;
}
struct ProblemOptions {
    std::string module;
    std::string shape = "1,64,64,64";
    std::string device = "cpu";
    HyperParams hyper = hyper_params_not_given();  // each field kNotGiven until a flag sets it
    std::string seed = "1";                        // a uint64, parsed strictly (CLI11 would clamp 2^64 to 2^64 - 1)
    std::string schedule = kHandSchedule;          // or an autoscheduled twin (verify, bench)
};

// The bounds of the timing options, checked as they are parsed.
constexpr int kMaxThreads = 1024;   // 100000 threads exhaust the process, not the problem
constexpr int kMaxCalls = 1000000;  // --repeat and --warmup
struct TimingOptions {
    int warmup = -1;  // -1: the notebooks' protocol for the device (CPU 20, GPU 100)
    int repeat = -1;  // -1: CPU 100, GPU 500
    int threads = 0;  // 0: one per core
};

struct RunOptions {
    ProblemOptions problem;
    std::string weights, input, output;
    bool verify = false;
    TimingOptions timing;  // repeat > 0: also time the block on these weights and this input
    std::string json_path, csv_path;
};

// Turns options into a problem, or says what is wrong (ErrorKind::invalid): names,
// sizes, and a problem too large for Halide's 32-bit indexing or this machine's memory.
Status make_problem(const ProblemOptions &o, Problem *p);
// The memory a problem needs, checked before anything is allocated (make_problem does).
Status check_problem_size(const Problem &p);

// --cpu-target: forces the CPU libraries to a target (prcm::force_cpu_target) where
// `devices` (a --device value, a list for an experiment) has the cpu; the GPU
// libraries' host code is built for the baseline alone, so there it is refused.
Status apply_cpu_target(const std::string &target, const std::string &devices);

int run_list();
int run_params();
int run_verify(const ProblemOptions &o);
int run_verify_all(const std::string &schedule = kHandSchedule);
int run_bench(const ProblemOptions &o, const TimingOptions &t, const std::string &json_path,
              const std::string &csv_path);
int run_run(const RunOptions &r);
int run_default_suite(const TimingOptions &t);

}  // namespace prcm::cli
