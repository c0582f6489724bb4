// Schedules of the shift_only_prcm generator: one for CPUs, one portable across GPU backends.
#pragma once

#include "schedules/modulator_schedule.h"

namespace prcm {

void schedule_shift_only_prcm_cpu(ModulatorStages &s, const Halide::Target &target);
void schedule_shift_only_prcm_gpu(ModulatorStages &s, const Halide::Target &target);

}  // namespace prcm
