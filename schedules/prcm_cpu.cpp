// Measured: (pending, filled in from `prcm bench` at 1x64x64x64)
#include "schedules/prcm.h"

namespace prcm {

// PRCM is the plain modulator: pool, two tiny matrix-vector products, scale.
void schedule_prcm_cpu(ModulatorStages &s, const Halide::Target &target) {
    schedule_modulator_cpu(s, target);
}

}  // namespace prcm
