// The parts of the knobs that look at a Halide Target: the family whose defaults
// apply, and what a library's build asks of them (schedules/knobs.h).
#include "schedules/knobs.h"

#include "Halide.h"

#include <cstdlib>

namespace prcm {

TargetFamily target_family(const Halide::Target &target) {
    using Halide::Target;
    if (target.has_feature(Target::CUDA)) return TargetFamily::cuda;
    if (target.has_feature(Target::OpenCL)) return TargetFamily::opencl;
    if (target.has_gpu_feature()) return TargetFamily::other_gpu;
    if (target.arch == Target::X86) {
        if (target.has_feature(Target::AVX512)) return TargetFamily::avx512;
        if (target.has_feature(Target::AVX2)) return TargetFamily::avx2;
        return TargetFamily::x86_64;
    }
    if (target.arch == Target::ARM) return TargetFamily::arm_neon;
    return TargetFamily::other_cpu;
}

Knobs knobs_for(const Halide::Target &target, const std::string &pattern, const std::string &overrides) {
    Knobs knobs = default_knobs(target_family(target), target.natural_vector_size<float>());
    std::string error;
    if (!apply_knob_overrides(knobs, pattern, overrides, &error)) {
        _halide_user_error << "knobs=" << overrides << ": " << error << "\n";
    }
    // `prcm tune` learns a library's pattern and hand knobs from the generator itself.
    if (std::getenv("PRCM_KNOBS_DESCRIBE")) {
        std::fprintf(stderr, "prcm-knobs pattern=%s knobs=%s\n", pattern.c_str(), format_knobs(knobs, pattern).c_str());
    }
    return knobs;
}

std::string knob_overrides_for(const Halide::Target &target, const std::string &tuned_target,
                               const std::string &tuned_knobs, const std::string &overrides) {
    if (tuned_target.empty()) return overrides;
    if (!Halide::Target::validate_target_string(tuned_target)) {
        _halide_user_error << "tuned_target=" << tuned_target << " is not a Halide target\n";
    }
    // A multi-target library compiles each target with the same parameters: the
    // record's knobs go to the one it was tuned for, the others keep their defaults.
    // no_runtime is how the build links, not what the code is for.
    using Halide::Target;
    const Target tuned = Target(tuned_target).without_feature(Target::NoRuntime);
    if (tuned != target.without_feature(Target::NoRuntime)) return overrides;
    if (overrides.empty()) return tuned_knobs;
    return tuned_knobs.empty() ? overrides : tuned_knobs + "," + overrides;
}

}  // namespace prcm
