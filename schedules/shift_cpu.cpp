// Measured: (pending)
#include "schedules/shift.h"
#include "schedules/elementwise.h"

namespace prcm {

// A modulator's output pass alone: one read of x, one write.
void schedule_shift_cpu(ElementwiseStages &s, const Halide::Target &target) {
    schedule_elementwise_cpu(s.output, s.v, target, s.plane, s.planes);
}

}  // namespace prcm
