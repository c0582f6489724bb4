// Schedules of the prcm_basis_expand generator: one for CPUs, one portable across GPU backends.
#pragma once

#include "schedules/modulator_schedule.h"

namespace prcm {

void schedule_prcm_basis_expand_cpu(ModulatorStages &s, const Halide::Target &target);
void schedule_prcm_basis_expand_gpu(ModulatorStages &s, const Halide::Target &target);

}  // namespace prcm
