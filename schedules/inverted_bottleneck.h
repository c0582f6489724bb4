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
// The flat form's (FlatBottleneckStages), CPUs only.
void schedule_inverted_bottleneck_flat_cpu(FlatBottleneckStages &s, const BottleneckKnobs &knobs);
// The channels form's (ChannelsBottleneckStages), CPUs only.
void schedule_inverted_bottleneck_channels_cpu(ChannelsBottleneckStages &s, const BottleneckKnobs &knobs);
// Whether a flat call of `pixels` a plane takes its wide register tiles: where they compute
// fewer pixels than the narrow ones (each plane's last tile shifted inwards), by a 32nd or more.
Halide::Expr flat_wide_tiles_taken(const Halide::Expr &pixels, const BottleneckKnobs &knobs);

// The widths of a narrow plane, whose register tiles pack whole rows into a vector of
// `lanes`: lanes / 2 and lanes / 4, where that is 2 or more.
std::vector<int> narrow_plane_widths(int lanes);
// The widths whose rows a narrow plane's tiles take padded to lanes / 2 with a zero
// column: lanes / 2 - 1 on 16 lanes (a network's 7x7).
std::vector<int> padded_narrow_plane_widths(int lanes);

// The plane widths at which the algorithm sums the depthwise taps in whole rows
// (BottleneckStages::rows_form): every narrow plane of a CPU schedule, none on GPUs.
// A row narrower than a vector ran its taps in 128- or 256-bit FMAs, at half the
// lanes per cycle of full ones on a core with two 512-bit FMA units.
// Measured 2026-12-04, Intel Xeon VM (AVX-512), 1 thread, medians of 7 interleaved rounds, 8x8 in rows of 8 -> whole rows: 1x128x8x8 r = 2 0.0702 -> 0.0658 ms, r = 4 0.121 -> 0.114, 1x64x8x8 0.0239 -> 0.0209, 1x24x8x8 0.0072 -> 0.0054 (on the AMD EPYC VM, whose 256-bit FMAs run at the lane rate of 512-bit ones, level).
inline std::vector<RowsFormWidth> depthwise_row_widths(const Halide::Target &target, const std::string &knobs) {
    if (target.has_gpu_feature()) return {};
    const int lanes = knobs_for(target, "bottleneck", knobs).bottleneck.lanes;
    std::vector<RowsFormWidth> widths;
    for (int w : narrow_plane_widths(lanes)) widths.push_back({w, w});
    for (int w : padded_narrow_plane_widths(lanes)) widths.push_back({w, lanes / 2});
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
