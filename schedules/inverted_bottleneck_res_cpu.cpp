// Measured: (pending)
#include "schedules/inverted_bottleneck_res.h"

namespace prcm {

// The residual is one more load per output vector: the plain block's fused schedule.
void schedule_inverted_bottleneck_res_cpu(BottleneckStages &s, const Halide::Target &target) {
    schedule_inverted_bottleneck_cpu(s, target);
}

}  // namespace prcm
