// Schedules of the gap generator: one for CPUs, one portable across GPU backends.
#pragma once

#include "generators/component.h"

namespace prcm {

void schedule_gap_cpu(PoolStages &s, const Halide::Target &target);
void schedule_gap_gpu(PoolStages &s, const Halide::Target &target);

}  // namespace prcm
