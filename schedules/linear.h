// Schedules of the linear generator: one for CPUs, one portable across GPU backends.
#pragma once

#include "generators/component.h"

namespace prcm {

void schedule_linear_cpu(VectorStages &s, const Halide::Target &target);
void schedule_linear_gpu(VectorStages &s, const Halide::Target &target);

}  // namespace prcm
