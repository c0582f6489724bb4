// Measured at 1x64x64x64 (scripts/peer_bench.py --rounds 5 on a fresh clone, medians, 2-core Xeon @ 2.1 GHz AVX-512 VM):
// 1 thread 0.059 ms (PyTorch 0.130, ONNX Runtime 0.092), 2 threads 0.037 ms (0.100, 0.099); 1.69x the copy of the same tensor at 2 threads (scripts/run.sh).
#include "schedules/prcm.h"

namespace prcm {

// PRCM is the plain modulator: pool, two tiny matrix-vector products, scale.
void schedule_prcm_cpu(ModulatorStages &s, const Halide::Target &target) {
    schedule_modulator_cpu(s, target);
}

}  // namespace prcm
