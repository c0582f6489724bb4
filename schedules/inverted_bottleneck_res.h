// Schedules of the residual inverted bottleneck: the same stages as
// InvertedBottleneck's, the input read once more by the output tiles.
#pragma once

#include "schedules/inverted_bottleneck.h"

namespace prcm {

void schedule_inverted_bottleneck_res_cpu(BottleneckStages &s, const Halide::Target &target);
void schedule_inverted_bottleneck_res_gpu(BottleneckStages &s, const Halide::Target &target);

}  // namespace prcm
