// Measured: (pending)
#include "schedules/linear.h"
#include "schedules/vector.h"

namespace prcm {

// C dot products of length B per sample: one core, vectorized along C.
void schedule_linear_cpu(VectorStages &s, const Halide::Target &target) {
    schedule_vector_cpu(s.output, target);
}

}  // namespace prcm
