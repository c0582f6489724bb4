// Measured: 0.015 ms median, 0.27x the copy floor (0.054 ms) at 1x64x64x64, 2-thread Xeon @ 2.10GHz (AVX-512, shared): `prcm bench --module gap`.
#include "schedules/gap.h"
#include "schedules/plane_sum.h"
#include "schedules/vector.h"

namespace prcm {

// The modulators' pool: the plane sums, then N * C divisions on one core.
void schedule_gap_cpu(PoolStages &s, const Halide::Target &target) {
    schedule_plane_sum_cpu(s.sum, s.v, target, s.plane, s.planes);
    schedule_vector_cpu(s.output, target);
}

}  // namespace prcm
