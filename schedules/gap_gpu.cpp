// Measured: not on a GPU (none here); proven correct on PoCL, PTX assembled for sm_90.
#include "schedules/gap.h"
#include "schedules/plane_sum.h"
#include "schedules/vector.h"

namespace prcm {

void schedule_gap_gpu(PoolStages &s, const Halide::Target &) {
    schedule_plane_sum_gpu(s.sum, s.v);
    schedule_vector_gpu(s.output, s.v.c, s.v.n);
}

}  // namespace prcm
