// The schedules of prcm_adaptive_pool, a pattern of its own: one for CPUs, one
// portable across GPU backends.
#pragma once

#include "Halide.h"
#include "generators/prcm_adaptive_pool.h"
#include "schedules/knobs.h"

#include <string>
#include <vector>

namespace prcm {

void schedule_prcm_adaptive_pool_cpu(AdaptivePoolStages &s, const AdaptivePoolKnobs &knobs);
void schedule_prcm_adaptive_pool_gpu(AdaptivePoolStages &s, const GpuAdaptivePoolKnobs &knobs);

// The shapes the algorithm also spells with constants (AdaptivePoolStages::fixed_pools):
// on CPUs, 4x4, 8x8 and 16x16 planes pooled to 4x4, where the pooled map is whole vectors
// (16 pixels, a multiple of the lanes: the convolutions then never read past it).
// None on GPUs, whose threads gather. Each shape's bins (side / pooled) differ from the
// others' (see the algorithm's conditions).
// 4x4 pooled to its own size: the general branch copied it a vector of 16 channels at a
// time (a gather of 16 planes) and blended each output pixel in a scalar loop, 22% of the
// call outside the convolutions (perf); here its rows are dense vectors.
// Measured 2026-12-06, Intel Xeon VM, AVX-512, 1 thread, fast rounds of 5 interleaved: 1x128x4x4 ps 4 0.0210 -> 0.0178 ms, 1x64x4x4 0.0069 -> 0.0053; 8x8 and 64x64 level.
inline std::vector<FixedPool> fixed_pool_shapes(const Halide::Target &target, const std::string &knobs) {
    if (target.has_gpu_feature()) return {};
    const int lanes = knobs_for(target, "adaptive_pool", knobs).adaptive_pool.lanes;
    std::vector<FixedPool> shapes;
    for (const FixedPool &f : {FixedPool{4, 4}, FixedPool{8, 4}, FixedPool{16, 4}}) {
        if (f.pooled * f.pooled % lanes == 0) shapes.push_back(f);
    }
    return shapes;
}

inline void schedule_prcm_adaptive_pool(AdaptivePoolStages &s, const Halide::Target &target, const std::string &knobs) {
    if (target.has_gpu_feature()) {
        schedule_prcm_adaptive_pool_gpu(s, knobs_for(target, "gpu_adaptive_pool", knobs).gpu_adaptive_pool);
    } else {
        schedule_prcm_adaptive_pool_cpu(s, knobs_for(target, "adaptive_pool", knobs).adaptive_pool);
    }
}

}  // namespace prcm
