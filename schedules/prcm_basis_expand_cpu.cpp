// Measured at 1x64x64x64 (scripts/peer_bench.py --rounds 5 on a fresh clone, medians, 2-core Xeon @ 2.1 GHz AVX-512 VM):
// 1 thread 0.076 ms (PyTorch 0.166, ONNX Runtime 0.092), 2 threads 0.045 ms (0.220, 0.130); 1.71x the copy of the same tensor at 2 threads (scripts/run.sh).
#include "schedules/prcm_basis_expand.h"

namespace prcm {

// The plain modulator: pool, three tiny products (B and B * r wide), scale.
void schedule_prcm_basis_expand_cpu(ModulatorStages &s, const Halide::Target &target) {
    schedule_modulator_cpu(s, target);
}

}  // namespace prcm
