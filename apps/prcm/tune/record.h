// The tuning record: every trial `prcm tune` ran, as JSON, one file per machine
// (tuning/<machine>.json). It is what a build applies (-DPRCM_TUNING, its
// "apply" list) and what --resume continues. Written atomically after each batch.
#pragma once

#include "prcm/status.h"
#include "prcm/tensor.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace prcm::tune {

inline constexpr const char *kRecordFormat = "prcm-tuning-record";
inline constexpr int kRecordVersion = 1;

// A candidate wins only if the confirmation run measures it at least this much
// faster than the hand schedule (its geometric mean over the tuned problems), and
// no shape class slower: below it, a "gain" is the machine's noise.
inline constexpr double kWinningRatio = 0.97;
// Timing rounds of a confirmation; the candidate must be faster in each of them.
inline constexpr int kConfirmRounds = 7;

struct ProblemResult {
    std::string problem;      // "1x64x64x64 --num-basis 8": the shape and hyper-parameter flags
    TorchShape shape;         // the experiment's x, N, C, H, W
    std::string shape_class;  // knob_space.h
    bool verified = false;
    std::string error;
    double max_abs_err = 0;
    double median_ms = 0, hand_median_ms = 0;  // in the same run; 0 when not timed
};

// The second look at a candidate that screened best: the awkward-shape grid, then
// `rounds` more timings interleaved with the hand schedule, in a fresh process that
// loads only the two (prcm tune-time): inside the searching process, with hundreds
// of libraries loaded, winners read 2-10% faster than they run in `prcm bench`.
struct Confirmation {
    int grid_checked = 0;
    std::vector<std::string> grid_failures;
    int rounds = 0;
    double ratio = 0;                            // per problem the median over the rounds, then the geometric mean
    std::map<std::string, double> class_ratios;  // the same per shape class
    std::vector<double> round_ratios;            // per round, the geometric mean over the problems
    std::vector<double> problem_ratios;          // per problem, the median over the rounds
    std::string error;                           // why the timing process gave no result
    // The grid passed, the ratio is kWinningRatio or better, no class and no problem
    // is slower than the hand schedule, and the candidate was faster in every round.
    bool wins() const;
};

struct Trial {
    int id = 0;
    std::string module, device, target;
    std::string device_model;  // the CPU model, or the GPU's name
    int threads = 0;           // CPU threads the libraries used
    std::string pattern, knobs;
    std::string origin;  // "hand" (the defaults, timed as a candidate: the noise floor), "random", "local"
    std::string status;  // "verified", "rejected" (a problem failed its check), "not built", "same code"
                         // (as an earlier trial or the hand schedule: not timed again)
    std::string error;
    std::string code;  // the builder's hash of the object code
    double build_seconds = 0;
    std::string time;  // UTC, ISO 8601
    std::vector<ProblemResult> results;
    std::optional<Confirmation> confirmation;

    // Trials with the same key searched the same thing: resume never repeats their knobs.
    std::string search_key() const;
    // The geometric mean over the problems of median / hand median; 0 unless verified and timed.
    double ratio() const;
    // Wrong at a problem, or not built: what the tables count as rejected.
    bool failed() const { return status == "rejected" || status == "not built"; }
};

struct Record {
    std::vector<Trial> trials;
    int next_id() const;
};

// The winner of one shape class: the confirmed trial that beat the hand schedule
// there by the most, or none (the hand schedule stays).
struct ClassWinner {
    std::string module, device, target, shape_class;
    const Trial *trial = nullptr;
    double ratio = 1;
};
std::vector<ClassWinner> class_winners(const Record &record);

// What a build applies per (module, device, target): one set of knobs serves every
// shape, so the confirmed trial with the best overall ratio among those that win in
// every class they were measured in. Modules without one keep the hand schedule.
struct Applied {
    std::string module, device, target, pattern, knobs;
    int trial = 0;
    double ratio = 1;
};
std::vector<Applied> applied(const Record &record);

// Reads a record; a file that is not one says what is wrong and where
// (ErrorKind::invalid), and nothing is changed.
Status read_record(const std::string &path, Record *record);
// Writes the record, its winners and its "apply" list, atomically.
Status write_record(const std::string &path, const Record &record);

}  // namespace prcm::tune
