// Measured: 0.053 ms median, 0.94-1.11x the copy floor (0.05 ms) at 1x64x64x64, 2-thread Xeon @ 2.10GHz (AVX-512, shared): `prcm bench --module affine`.
#include "schedules/affine.h"
#include "schedules/elementwise.h"

namespace prcm {

// A modulator's output pass alone: one read of x, one write.
void schedule_affine_cpu(ElementwiseStages &s, const Halide::Target &target) {
    schedule_elementwise_cpu(s.output, s.v, target, s.plane, s.planes);
}

}  // namespace prcm
