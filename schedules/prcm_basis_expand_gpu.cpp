// Measured: not on a GPU (none here); proven correct on PoCL, PTX assembled for sm_90.
#include "schedules/prcm_basis_expand.h"

namespace prcm {

void schedule_prcm_basis_expand_gpu(ModulatorStages &s, const Halide::Target &target) {
    schedule_modulator_gpu(s, target);
}

}  // namespace prcm
