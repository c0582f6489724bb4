// The runner side (builder.h): loads a built library into this process, verifies
// it against the naive reference at every tuned problem, then times it with the
// harness protocol (apps/prcm/measure.h), call by call in turn with the hand
// schedule, so that both see the same machine.
#pragma once

#include "builder.h"

#include "../measure.h"

#include <deque>
#include <string>
#include <vector>

namespace prcm::tune {

// A library that runs in place of a module's own: a copy of the module whose one
// library (on one device) is the candidate's, so verify() and measure() take it
// as they take the shipped one.
struct LoadedLibrary {
    Module module;
    std::string error;
    std::string path, function_name;  // where it was loaded from; "" for a library of the process
    bool ok() const { return error.empty(); }
};
// Loads `function_name` from a shared object that BuildResult::library names.
LoadedLibrary load_library(const Module &module, Device device, const std::string &path,
                           const std::string &function_name);
// What a builder made for `request`, loaded: the library, or why there is none.
LoadedLibrary load_built(const Module &module, Device device, const BuildRequest &request, const BuildResult &built);
// A library already in the process (the tests give one that is wrong on purpose).
LoadedLibrary wrap_library(const Module &module, const Library &library);

// One problem's outcome for one candidate.
struct ProblemOutcome {
    bool verified = false;
    std::string error;  // why not: the library's error, or the first mismatch
    double max_abs_err = 0;
    double median_ms = 0, hand_median_ms = 0;  // timed in the same run
};

class Runner {
public:
    virtual ~Runner() = default;
    // Every candidate at every problem (problems[i].module is replaced by each
    // candidate's): outcomes[candidate][problem]. A candidate that fails any problem's
    // check is not timed there.
    virtual std::vector<std::vector<ProblemOutcome>> run(const LoadedLibrary &hand,
                                                         const std::vector<const LoadedLibrary *> &candidates,
                                                         const std::vector<Problem> &problems) = 0;
};

class LocalRunner : public Runner {
public:
    explicit LocalRunner(cli::TimingOptions timing) : timing_(timing) {}
    std::vector<std::vector<ProblemOutcome>> run(const LoadedLibrary &hand,
                                                 const std::vector<const LoadedLibrary *> &candidates,
                                                 const std::vector<Problem> &problems) override;

private:
    cli::TimingOptions timing_;
};

// The awkward-shape grid of `verify --all` (awkward_problems) on one library: how a
// candidate about to win shows that it is right at every shape, not only the tuned ones.
// Returns the problems that failed, each as "<replay>: <why>"; `checked` counts them all.
std::vector<std::string> verify_grid(const LoadedLibrary &library, Device device, int *checked);

}  // namespace prcm::tune
