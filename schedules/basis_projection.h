// Schedules of the basis_projection generator: one for CPUs, one portable across GPU backends.
#pragma once

#include "generators/component.h"

namespace prcm {

void schedule_basis_projection_cpu(VectorStages &s, const Halide::Target &target);
void schedule_basis_projection_gpu(VectorStages &s, const Halide::Target &target);

}  // namespace prcm
