// The schedule of every channel modulator (the PRCM and SE family): one for CPUs,
// one portable across GPU backends. No modulator needs a schedule of its own.
#pragma once

#include "Halide.h"
#include "generators/modulator.h"
#include "schedules/knobs.h"

namespace prcm {

void schedule_modulator_cpu(ModulatorStages &s, const ModulatorKnobs &knobs);
void schedule_modulator_gpu(ModulatorStages &s, const GpuModulatorKnobs &knobs);

inline void schedule_modulator(ModulatorStages &s, const Halide::Target &target, const std::string &knobs) {
    if (target.has_gpu_feature()) {
        schedule_modulator_gpu(s, knobs_for(target, "gpu_modulator", knobs).gpu_modulator);
    } else {
        schedule_modulator_cpu(s, knobs_for(target, "modulator", knobs).modulator);
    }
}

}  // namespace prcm
