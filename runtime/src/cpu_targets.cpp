// Forcing the multi-target CPU libraries to one of their targets (prcm/run.h).
//
// Halide's dispatch wrapper asks halide_can_use_target_features(count, mask) about
// each target but the baseline, best first, runs the first one allowed (the
// baseline if none is) and keeps that choice for the library's later calls. The
// hook below, installed when the runtime is loaded, answers for the whole
// process: with this CPU's answer, or, once a target is forced, "yes" to that
// target's mask alone. It records what it is asked, so the tests can see that the
// masks compiled in here (runtime/tools/cpu_target_features.cpp) are the ones
// the wrapper asks about: a wrong mask would silently run the baseline instead.
#include "prcm/run.h"

#include <HalideRuntime.h>

#include <algorithm>
#include <array>
#include <atomic>

// First pass: only the word count.
#define PRCM_CPU_TARGET(name, mask, features)
#include "prcm_cpu_targets.inc"
#undef PRCM_CPU_TARGET

namespace prcm {

namespace {

#ifdef PRCM_CPU_TARGET_MASKS_UNKNOWN
constexpr bool kMasksKnown = false;  // a cross build: its tool could not run here
#else
constexpr bool kMasksKnown = true;
static_assert(PRCM_CPU_TARGET_WORDS == (halide_target_feature_end + 63) / 64,
              "the masks were computed with another Halide than the runtime's headers");
#endif
constexpr int kWords = PRCM_CPU_TARGET_WORDS;

struct Feature {
    const char *name;
    int index;  // halide_target_feature_t
};
struct BuiltTarget {
    const char *name;
    std::array<uint64_t, kWords> mask;  // as the wrapper passes it
    std::vector<Feature> features;      // those the target's name asks for
};

const std::vector<BuiltTarget> &built() {
#define PRCM_CPU_TARGET_MASK(...) \
    { __VA_ARGS__ }
#define PRCM_CPU_TARGET(name, mask, features) {name, {PRCM_CPU_TARGET_MASK mask}, {features}},
#define PRCM_CPU_TARGET_FEATURE(name, index) {name, index},
    static const std::vector<BuiltTarget> targets = {
#include "prcm_cpu_targets.inc"
    };
#undef PRCM_CPU_TARGET_MASK
#undef PRCM_CPU_TARGET
#undef PRCM_CPU_TARGET_FEATURE
    return targets;
}

int index_of(std::string_view name) {
    const std::vector<BuiltTarget> &targets = built();
    for (size_t i = 0; i < targets.size(); i++) {
        if (name == targets[i].name) return static_cast<int>(i);
    }
    return -1;
}

int index_of_mask(int count, const uint64_t *features) {
    const std::vector<BuiltTarget> &targets = built();
    if (!kMasksKnown || count != kWords) return -1;
    for (size_t i = 0; i < targets.size(); i++) {
        if (std::equal(features, features + kWords, targets[i].mask.begin())) return static_cast<int>(i);
    }
    return -1;
}

bool can_run(int index, CpuFeatureCheck check) {
    const std::vector<BuiltTarget> &targets = built();
    if (index == static_cast<int>(targets.size()) - 1) return true;  // the wrapper never asks about the baseline
    return kMasksKnown && check(kWords, targets[index].mask.data()) != 0;
}

std::atomic<int> forced{-1};  // an index into built(); -1: the dispatch picks
std::atomic<bool> asked_any{false}, unrecognized{false};
// Bit i: target i was asked about, allowed. The wrapper may evaluate every
// question before it picks (it does here), so the one that runs is the best allowed.
std::atomic<uint64_t> asked_bits{0}, allowed_bits{0};

int answer_dispatch(int count, const uint64_t *features) {
    asked_any = true;
    const int asked = index_of_mask(count, features);
    if (asked < 0) unrecognized = true;
    const uint64_t bit = asked >= 0 && asked < 64 ? uint64_t{1} << asked : 0;  // the log keeps 64 targets
    asked_bits |= bit;
    const int target = forced;
    const int yes =
        target < 0 ? halide_default_can_use_target_features(count, features) : asked >= 0 && asked == target;
    if (yes) allowed_bits |= bit;
    return yes;
}

// Installed at load, before any library can run, so that no dispatch goes unseen.
const bool dispatch_hook_installed = [] {
    halide_set_custom_can_use_target_features(answer_dispatch);
    return true;
}();

// "this build's CPU targets are A, B, C (best first); this CPU runs B, C"
std::string targets_summary(CpuFeatureCheck check) {
    std::vector<std::string> runs;
    for (size_t i = 0; i < built().size(); i++) {
        if (can_run(static_cast<int>(i), check)) runs.push_back(built()[i].name);
    }
    return "this build's CPU targets are " + join(cpu_targets()) + " (best first); this CPU runs " +
           (runs.size() == built().size() ? std::string("all of them") : join(runs));
}

}  // namespace

const std::vector<std::string> &cpu_targets() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const BuiltTarget &t : built()) n.push_back(t.name);
        return n;
    }();
    return names;
}

bool cpu_can_run(std::string_view target, CpuFeatureCheck check) {
    const int index = index_of(target);
    return index >= 0 && can_run(index, check);
}

std::string cpu_target_picked(CpuFeatureCheck check) {
    if (!kMasksKnown) return "unknown (a cross build: the targets' feature masks were not computed)";
    for (size_t i = 0; i < built().size(); i++) {
        if (can_run(static_cast<int>(i), check)) return built()[i].name;
    }
    return built().back().name;  // not reached: the baseline always runs
}

Status force_cpu_target(std::string_view target, CpuFeatureCheck check) {
    const int index = index_of(target);
    if (index < 0) {
        return Status::error("unknown CPU target '" + printable(target) + "': " + targets_summary(check));
    }
    if (!kMasksKnown && index != static_cast<int>(built().size()) - 1) {
        return Status::unavailable(
            "this build was cross-compiled, so the dispatch's feature masks were not computed "
            "and no CPU target but the baseline can be forced");
    }
    if (!can_run(index, check)) {
        std::vector<std::string> missing;
        for (const Feature &f : built()[index].features) {
            std::array<uint64_t, kWords> one{};
            one[f.index / 64] = uint64_t{1} << (f.index % 64);
            if (!check(kWords, one.data())) missing.push_back(f.name);
        }
        return Status::unavailable("this CPU cannot run " + std::string(target) +
                                   (missing.empty() ? "" : ": it lacks " + join(missing)) + "; " +
                                   targets_summary(check));
    }
    if (asked_any && cpu_target_selected() != target) {
        return Status::error("the CPU libraries have already dispatched to " + cpu_target_selected() +
                             " and keep it; force the CPU target before any CPU library runs");
    }
    forced = index;
    // Ours again, should anything have replaced it since load.
    halide_set_custom_can_use_target_features(answer_dispatch);
    return Status::ok();
}

std::string cpu_target_selected() {
    const int target = forced;
    return target >= 0 ? built()[target].name : cpu_target_picked();
}

bool cpu_target_forced() { return forced >= 0; }

std::string cpu_target_description() {
    return cpu_target_selected() + (cpu_target_forced() ? " (forced)" : " (the multi-target dispatch's pick)");
}

CpuDispatchLog cpu_dispatch_log() {
    CpuDispatchLog log;
    const uint64_t asked = asked_bits, allowed = allowed_bits;
    for (size_t i = 0; i < built().size() && i < 64; i++) {
        if (asked >> i & 1) log.asked.push_back(built()[i].name);
        if (allowed >> i & 1 && log.allowed.empty()) log.allowed = built()[i].name;
    }
    log.unrecognized = unrecognized;
    return log;
}

}  // namespace prcm
