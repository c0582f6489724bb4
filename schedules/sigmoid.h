// Schedules of the sigmoid generator: one for CPUs, one portable across GPU backends.
#pragma once

#include "generators/component.h"

namespace prcm {

void schedule_sigmoid_cpu(VectorStages &s, const Halide::Target &target);
void schedule_sigmoid_gpu(VectorStages &s, const Halide::Target &target);

}  // namespace prcm
