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
// on CPUs, 8x8 and 16x16 planes pooled to 4x4, where the pooled map is whole vectors
// (16 pixels, a multiple of the lanes: the convolutions then never read past it).
// None on GPUs, whose threads gather. Each shape's bins (side / pooled) differ from the
// others' (see the algorithm's conditions).
inline std::vector<FixedPool> fixed_pool_shapes(const Halide::Target &target, const std::string &knobs) {
    if (target.has_gpu_feature()) return {};
    const int lanes = knobs_for(target, "adaptive_pool", knobs).adaptive_pool.lanes;
    std::vector<FixedPool> shapes;
    for (const FixedPool &f : {FixedPool{8, 4}, FixedPool{16, 4}}) {
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
