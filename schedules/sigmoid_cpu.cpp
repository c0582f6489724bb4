// Measured: (pending)
#include "schedules/sigmoid.h"
#include "schedules/vector.h"

namespace prcm {

// B logistic functions per sample: one core, vectorized along B.
void schedule_sigmoid_cpu(VectorStages &s, const Halide::Target &target) {
    schedule_vector_cpu(s.output, target);
}

}  // namespace prcm
