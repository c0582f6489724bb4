// Measured: (pending, filled in from `prcm bench` at 1x64x64x64)
#include "schedules/prcm_basis_expand.h"

namespace prcm {

void schedule_prcm_basis_expand_cpu(ModulatorStages &s, const Halide::Target &target) {
    schedule_modulator_cpu(s, target);
}

}  // namespace prcm
