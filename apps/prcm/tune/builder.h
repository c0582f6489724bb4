// Builders apart from runners (as TVM's MetaSchedule keeps them): a builder turns
// knob sets into loadable libraries, a runner (runner.h) verifies and times them.
// Only files pass between the two, so the compiling could move to other machines.
#pragma once

#include <string>
#include <vector>

namespace prcm::tune {

// One library to build: a generator of the project, a Halide target, knob overrides.
struct BuildRequest {
    std::string generator;      // "prcm"
    std::string target;         // "x86-64-linux-avx2-...": the code's target, no runtime
    std::string knobs;          // overrides over the target family's defaults; "" for the hand schedule
    std::string function_name;  // the entry point; candidates may share one (each library is loaded
                                // on its own, RTLD_LOCAL, and linked -Bsymbolic), and then the
                                // same code makes the same object file, byte for byte
    std::string label;          // unique among the builder's requests: names the files
};

struct BuildResult {
    bool ok = false;
    std::string library;  // a shared object holding function_name's entry points
    std::string pattern;  // the schedule pattern the generator used ("modulator")
    std::string knobs;    // every knob of it, as the generator applied them
    std::string error;    // the first line of what went wrong (the generator's or the linker's)
    std::string code;     // a hash of the object file: under one function name, equal hashes are equal code
    double seconds = 0;
};

class Builder {
public:
    virtual ~Builder() = default;
    // One result per request, in order; the requests may be built in parallel.
    virtual std::vector<BuildResult> build(const std::vector<BuildRequest> &requests) = 0;
};

// Builds on this machine, `jobs` at a time: the project's generator executable
// writes an object file without a Halide runtime (the process's own runtime, thread
// pool included, serves it, as it serves the shipped libraries), and the C++
// compiler links it into a shared object.
class LocalBuilder : public Builder {
public:
    LocalBuilder(std::string generator_path, std::string linker, std::string work_dir, int jobs);
    std::vector<BuildResult> build(const std::vector<BuildRequest> &requests) override;

private:
    BuildResult build_one(const BuildRequest &request) const;
    std::string generator_path_, linker_, work_dir_;
    int jobs_;
};

// Runs args[0] (found on PATH) with stdout and stderr appended to `log`; its exit
// status, or -1 when it could not run or did not exit.
int run_logged(const std::vector<std::string> &args, const std::string &log);

// The generator executable beside this program (build/bin/prcm_generators), and
// the C++ compiler that links (CXX, else the one the project was built with).
std::string default_generator_path();
// This program's own executable (/proc/self/exe).
std::string this_program();
std::string default_linker();

}  // namespace prcm::tune
