// The schedules of the inverted bottleneck and its residual variant (the residual
// is one more load per output vector): one fused pass on CPUs, one kernel on GPUs.
#pragma once

#include "Halide.h"
#include "generators/inverted_bottleneck.h"
#include "schedules/knobs.h"

namespace prcm {

void schedule_inverted_bottleneck_cpu(BottleneckStages &s, const BottleneckKnobs &knobs);
void schedule_inverted_bottleneck_gpu(BottleneckStages &s, const GpuBottleneckKnobs &knobs);

inline void schedule_inverted_bottleneck(BottleneckStages &s, const Halide::Target &target, const std::string &knobs) {
    if (target.has_gpu_feature()) {
        schedule_inverted_bottleneck_gpu(s, knobs_for(target, "gpu_bottleneck", knobs).gpu_bottleneck);
    } else {
        schedule_inverted_bottleneck_cpu(s, knobs_for(target, "bottleneck", knobs).bottleneck);
    }
}

}  // namespace prcm
