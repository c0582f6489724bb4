// The schedules of prcm_adaptive_pool, a pattern of its own: one for CPUs, one
// portable across GPU backends.
#pragma once

#include "Halide.h"
#include "generators/prcm_adaptive_pool.h"
#include "schedules/knobs.h"

namespace prcm {

void schedule_prcm_adaptive_pool_cpu(AdaptivePoolStages &s, const AdaptivePoolKnobs &knobs);
void schedule_prcm_adaptive_pool_gpu(AdaptivePoolStages &s, const GpuAdaptivePoolKnobs &knobs);

inline void schedule_prcm_adaptive_pool(AdaptivePoolStages &s, const Halide::Target &target, const std::string &knobs) {
    if (target.has_gpu_feature()) {
        schedule_prcm_adaptive_pool_gpu(s, knobs_for(target, "gpu_adaptive_pool", knobs).gpu_adaptive_pool);
    } else {
        schedule_prcm_adaptive_pool_cpu(s, knobs_for(target, "adaptive_pool", knobs).adaptive_pool);
    }
}

}  // namespace prcm
