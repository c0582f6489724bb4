// Schedules of the affine_prcm generator: one for CPUs, one portable across GPU backends.
#pragma once

#include "schedules/modulator_schedule.h"

namespace prcm {

void schedule_affine_prcm_cpu(ModulatorStages &s, const Halide::Target &target);
void schedule_affine_prcm_gpu(ModulatorStages &s, const Halide::Target &target);

}  // namespace prcm
