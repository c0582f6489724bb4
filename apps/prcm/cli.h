// The `prcm` command line: every subcommand is a function of its options.
#pragma once

#include "prcm/verify.h"

#include <climits>
#include <string>
#include <vector>

namespace prcm::cli {

// What selects a problem on the command line.
// Hyper-parameters not given (kNotGiven) take the module's notebook defaults.
constexpr int kNotGiven = INT_MIN;
struct ProblemOptions {
    std::string module;
    std::string shape = "1,64,64,64";
    std::string device = "cpu";
    int num_basis = kNotGiven, reduction = kNotGiven, expansion = kNotGiven, pool_size = kNotGiven,
        kernel_size = kNotGiven;
    uint64_t seed = 1;
};

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
    std::string json_path;
};

// Turns options into a problem, or returns a message naming what is wrong.
std::string make_problem(const ProblemOptions &o, Problem *p);

int run_list();
int run_params();
int run_verify(const ProblemOptions &o);
int run_verify_all();
int run_bench(const ProblemOptions &o, const TimingOptions &t, const std::string &json_path);
int run_run(const RunOptions &r);
int run_default_suite(const TimingOptions &t);

// Aligned text tables: a header row, then rows; numbers right-aligned.
struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    void print() const;
};

std::string machine_line(Device device, int threads);
std::string cpu_model();
int default_threads();  // HL_NUM_THREADS, else one per core
std::string format_ms(double ms);
std::string format_count(long long n);  // 1,024
std::string format_sci(double v);       // 2.4e-07
std::string format_fixed(double v, int decimals);

}  // namespace prcm::cli
