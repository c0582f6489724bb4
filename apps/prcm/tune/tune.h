// `prcm tune`: searches the knobs of the hand schedules on this machine. Each
// candidate is built (builder.h), verified at every tuned problem and timed beside
// the hand schedule in the same run (runner.h); the best are verified over the
// awkward-shape grid and timed again before they can win; every trial goes into
// the record (record.h), which a build applies with -DPRCM_TUNING.
#pragma once

#include <string>

namespace prcm::cli {

struct TuneOptions {
    std::string module;  // or all
    bool all = false;
    std::string shapes = "1,64,64,64";  // an experiment id, or N,C,H,W[;N,C,H,W...]
    std::string device = "cpu";
    std::string budget = "10m";  // the whole search: 90s, 10m, 1h
    int threads = 0;             // CPU threads of the libraries (0: one per core)
    int jobs = 0;                // candidates compiled at once (0: one per core)
    std::string out;             // "": tuning/<machine>.json
    bool resume = false;
    unsigned long long seed = 1;  // of the search's random draws
    std::string generator;        // "": prcm_generators beside prcm
    std::string cpu_target;       // --cpu-target: tune this target's code instead of the dispatch's pick
};

int run_tune(const TuneOptions &o);

// `prcm tune-time` (hidden): the confirmation's timing, in a process of its own.
// Loads the hand schedule and one candidate (each "PATH:FUNCTION", as the builder
// made them), times them `rounds` times at the problems of tune.module and
// tune.shapes, and writes {"problems": [...], "ratios": [[candidate / hand per
// problem] per round]} to `out`.
struct TuneTimeOptions {
    TuneOptions tune;
    int rounds = 1;
    std::string hand, candidate, out;
};
int run_tune_time(const TuneTimeOptions &o);

}  // namespace prcm::cli
