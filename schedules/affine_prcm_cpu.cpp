// Measured: (pending, filled in from `prcm bench` at 1x64x64x64)
#include "schedules/affine_prcm.h"

namespace prcm {

// The scale and the shift are two vectors of the same shape; the output pass
// reads x once and applies both.
void schedule_affine_prcm_cpu(ModulatorStages &s, const Halide::Target &target) {
    schedule_modulator_cpu(s, target);
}

}  // namespace prcm
