// Measured at 1x64x64x64 (scripts/peer_bench.py --rounds 5 on a fresh clone, medians, 2-core Xeon @ 2.1 GHz AVX-512 VM):
// 1 thread 0.063 ms (PyTorch 0.140, ONNX Runtime 0.092), 2 threads 0.034 ms (0.073, 0.100); 1.69x the copy of the same tensor at 2 threads (scripts/run.sh).
#include "schedules/se.h"

namespace prcm {

// The plain modulator: pool, two tiny Linears (C // r wide), scale.
void schedule_se_cpu(ModulatorStages &s, const Halide::Target &target) {
    schedule_modulator_cpu(s, target);
}

}  // namespace prcm
