// Schedules of the scale generator: one for CPUs, one portable across GPU backends.
#pragma once

#include "generators/component.h"

namespace prcm {

void schedule_scale_cpu(ElementwiseStages &s, const Halide::Target &target);
void schedule_scale_gpu(ElementwiseStages &s, const Halide::Target &target);

}  // namespace prcm
