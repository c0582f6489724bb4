// The schedules of the inverted bottleneck and its residual variant (the residual
// is one more load per output vector): one fused pass on CPUs, one kernel on GPUs.
#pragma once

#include "Halide.h"

#include <string>
#include <vector>
#include "generators/inverted_bottleneck.h"
#include "schedules/knobs.h"

namespace prcm {

void schedule_inverted_bottleneck_cpu(BottleneckStages &s, const BottleneckKnobs &knobs);
void schedule_inverted_bottleneck_gpu(BottleneckStages &s, const GpuBottleneckKnobs &knobs);

// The widths of a narrow plane, whose register tiles pack whole rows into a vector of
// `lanes`: lanes / 2 and lanes / 4, where that is 2 or more.
std::vector<int> narrow_plane_widths(int lanes);

// The plane widths at which the algorithm sums the depthwise taps in whole rows
// (BottleneckStages::rows_form): a CPU schedule's narrow planes of rows of 4 floats
// or fewer, whose taps ran in 128-bit vectors at half the FMA rate of wider ones.
// None on GPUs. (At 8x8 on AVX-512 the rows of 8 run in 256-bit vectors, which
// the AMD EPYC VM executes at the rate of 512-bit ones: the rows form was level.)
inline std::vector<int> depthwise_row_widths(const Halide::Target &target, const std::string &knobs) {
    std::vector<int> widths;
    if (target.has_gpu_feature()) return widths;
    for (int w : narrow_plane_widths(knobs_for(target, "bottleneck", knobs).bottleneck.lanes)) {
        if (w <= 4) widths.push_back(w);
    }
    return widths;
}

inline void schedule_inverted_bottleneck(BottleneckStages &s, const Halide::Target &target, const std::string &knobs) {
    if (target.has_gpu_feature()) {
        schedule_inverted_bottleneck_gpu(s, knobs_for(target, "gpu_bottleneck", knobs).gpu_bottleneck);
    } else {
        schedule_inverted_bottleneck_cpu(s, knobs_for(target, "bottleneck", knobs).bottleneck);
    }
}

}  // namespace prcm
