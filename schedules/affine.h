// Schedules of the affine generator: one for CPUs, one portable across GPU backends.
#pragma once

#include "generators/component.h"

namespace prcm {

void schedule_affine_cpu(ElementwiseStages &s, const Halide::Target &target);
void schedule_affine_gpu(ElementwiseStages &s, const Halide::Target &target);

}  // namespace prcm
