// Schedules of the prcm_se generator: one for CPUs, one portable across GPU backends.
#pragma once

#include "schedules/modulator_schedule.h"

namespace prcm {

void schedule_prcm_se_cpu(ModulatorStages &s, const Halide::Target &target);
void schedule_prcm_se_gpu(ModulatorStages &s, const Halide::Target &target);

}  // namespace prcm
