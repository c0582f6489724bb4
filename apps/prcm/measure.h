// Timing a verified problem beside the copy of the same tensor.
#pragma once

#include "cli.h"

#include "prcm/run.h"

namespace prcm::cli {

struct Stats {
    double mean = 0, std = 0, min = 0, median = 0, p90 = 0;
};

struct Measurement {
    VerifyResult verified;         // the problem is verified before it is timed
    Stats block, copy;             // the block, and copying x [N, C, H, W] on the same device
    Status status = Status::ok();  // not ok when timing could not run (its kind gives the exit code)
    bool ok() const { return verified.comparison.verdict == Verdict::passed && status; }
    // Why it is not ok, in a line: the timing's failure, else the library's (empty
    // when it ran and only the comparison failed).
    const std::string &error() const { return status ? verified.error : status.message(); }
};

// The exit code of a measurement that is not ok: the timing's failure by its
// kind, else the verification's (cli.h).
inline int exit_code(const Measurement &m) { return m.status ? exit_code(m.verified) : exit_code(m.status); }

// The notebooks' protocol when not overridden: CPU 20 warm-up / 100 timed, GPU 100 / 500.
void resolve_protocol(Device d, TimingOptions *t);

Measurement measure(const Problem &p, const TimingOptions &t);

// Problems that differ only in their schedule (the same module, shape, hyper-parameters,
// seed and device), each verified, then every one that passed timed together with the
// copy of the same tensor, call by call in turn: hand against the autoscheduled twins.
std::vector<Measurement> measure_together(const std::vector<Problem> &problems, const TimingOptions &t);
// The timing half of measure_together, for problems already verified: those of
// `timed`, each into ms[i] (block, copy, status).
void time_together(const std::vector<Problem> &problems, const std::vector<size_t> &timed, const TimingOptions &t,
                   std::vector<Measurement> &ms);

// Times a checked call (see prepare_call) on the user's own tensors, call by call in
// turn with the copy of `input` into a buffer of its own (the floor, into *copy).
Status time_prepared(const PreparedCall &call, const Tensor &input, Tensor &output, const TimingOptions &t,
                     Stats *stats, Stats *copy);

// The median (the mean of the middle two for an even count) and the geometric mean
// of positive values: how every ratio of times is summarized.
double median(std::vector<double> values);
double geometric_mean(const std::vector<double> &values);

}  // namespace prcm::cli
