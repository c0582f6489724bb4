#include "runner.h"

#include <dlfcn.h>

#include <mutex>

namespace prcm::tune {

namespace {
// A Library points at its function's name: the names of the libraries loaded stay
// here, as the libraries themselves stay loaded (a GPU runtime keeps pointers into
// a library's state until the process ends).
const char *keep_name(const std::string &name) {
    static std::mutex mutex;
    static std::deque<std::string> names;
    std::lock_guard<std::mutex> lock(mutex);
    names.push_back(name);
    return names.back().c_str();
}

LoadedLibrary failed(const Module &module, std::string error) {
    return LoadedLibrary{Module{module.spec, {}, {}}, std::move(error), "", ""};
}

// A message without the newlines failure_details ends its lines with.
std::string one_line(std::string text) {
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}
}  // namespace

LoadedLibrary wrap_library(const Module &module, const Library &library) {
    Library lib = library;
    lib.schedule = kHandSchedule;  // the one library of this module copy, as verify() and measure() ask for it
    return LoadedLibrary{Module{module.spec, {lib}, {}}, "", "", ""};
}

LoadedLibrary load_library(const Module &module, Device device, const std::string &path,
                           const std::string &function_name) {
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        return failed(module, "cannot load " + path + ": " + (why ? why : "dlopen failed"));
    }
    auto argv = reinterpret_cast<int (*)(void **)>(dlsym(handle, (function_name + "_argv").c_str()));
    auto metadata =
        reinterpret_cast<const halide_filter_metadata_t *(*)()>(dlsym(handle, (function_name + "_metadata").c_str()));
    if (!argv || !metadata) return failed(module, path + " lacks " + function_name + "_argv or _metadata");
    LoadedLibrary loaded =
        wrap_library(module, Library{device, keep_name(function_name), argv, metadata, kHandSchedule});
    loaded.path = path;
    loaded.function_name = function_name;
    return loaded;
}

LoadedLibrary load_built(const Module &module, Device device, const BuildRequest &request, const BuildResult &built) {
    if (!built.ok) return failed(module, built.error);
    return load_library(module, device, built.library, request.function_name);
}

std::vector<std::vector<ProblemOutcome>> LocalRunner::run(const LoadedLibrary &hand,
                                                          const std::vector<const LoadedLibrary *> &candidates,
                                                          const std::vector<Problem> &problems) {
    std::vector<std::vector<ProblemOutcome>> out(candidates.size(), std::vector<ProblemOutcome>(problems.size()));
    for (size_t pi = 0; pi < problems.size(); pi++) {
        // [hand, candidates...]: verified against one reference, then timed call by call in turn.
        std::vector<const Module *> modules{&hand.module};
        for (const LoadedLibrary *c : candidates) modules.push_back(&c->module);
        const std::vector<VerifyResult> verified = verify_each(problems[pi], modules);
        std::vector<Problem> ps(modules.size(), problems[pi]);
        std::vector<cli::Measurement> ms(modules.size());
        std::vector<size_t> timed;
        for (size_t i = 0; i < modules.size(); i++) {
            ps[i].module = modules[i];
            ms[i].verified = verified[i];
            if (verified[i].comparison.verdict == Verdict::passed) timed.push_back(i);
        }
        const bool hand_ok = !timed.empty() && timed.front() == 0;
        if (hand_ok) cli::time_together(ps, timed, timing_, ms);
        for (size_t k = 0; k < candidates.size(); k++) {
            const cli::Measurement &m = ms[k + 1];
            ProblemOutcome &o = out[k][pi];
            o.verified = m.verified.comparison.verdict == Verdict::passed;
            o.max_abs_err = m.verified.comparison.max_abs;
            if (!o.verified) {
                o.error = m.verified.error.empty() ? one_line(std::string(verdict_name(m.verified.comparison.verdict)) +
                                                              ": " + failure_details(m.verified, ""))
                                                   : m.verified.error;
            } else if (!hand_ok) {
                o.error = "not timed: the hand schedule failed here: " + ms[0].verified.error;
            } else if (!m.status) {
                o.verified = false;
                o.error = m.status.message();
            } else {
                o.median_ms = m.block.median;
                o.hand_median_ms = ms[0].block.median;
            }
        }
    }
    return out;
}

std::vector<std::string> verify_grid(const LoadedLibrary &library, Device device, int *checked) {
    std::vector<std::string> failures;
    const std::vector<Problem> grid = awkward_problems(library.module, device);
    *checked = static_cast<int>(grid.size());
    for (Problem p : grid) {
        p.module = &library.module;
        const VerifyResult r = verify(p);
        if (r.comparison.verdict == Verdict::passed) continue;
        failures.push_back(p.replay() + ": " + one_line(failure_details(r, "")));
    }
    return failures;
}

}  // namespace prcm::tune
