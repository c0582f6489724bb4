// Schedules shared by every channel modulator; the per-module schedules call these.
#pragma once

#include "Halide.h"
#include "generators/modulator.h"

namespace prcm {

void schedule_modulator_cpu(ModulatorStages &s, const Halide::Target &target);
void schedule_modulator_gpu(ModulatorStages &s, const Halide::Target &target);

}  // namespace prcm
