// Schedules of the shift generator: one for CPUs, one portable across GPU backends.
#pragma once

#include "generators/component.h"

namespace prcm {

void schedule_shift_cpu(ElementwiseStages &s, const Halide::Target &target);
void schedule_shift_gpu(ElementwiseStages &s, const Halide::Target &target);

}  // namespace prcm
