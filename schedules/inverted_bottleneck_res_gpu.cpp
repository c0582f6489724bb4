// Measured: not on a GPU (none here); proven on PoCL, PTX assembled for sm_90.
#include "schedules/inverted_bottleneck_res.h"

namespace prcm {

void schedule_inverted_bottleneck_res_gpu(BottleneckStages &s, const Halide::Target &target) {
    schedule_inverted_bottleneck_gpu(s, target);
}

}  // namespace prcm
