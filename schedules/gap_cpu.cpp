// Measured: (pending)
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
