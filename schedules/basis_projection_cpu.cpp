// Measured: (pending)
#include "schedules/basis_projection.h"
#include "schedules/vector.h"

namespace prcm {

// B dot products of length C per sample: one core, vectorized along B.
void schedule_basis_projection_cpu(VectorStages &s, const Halide::Target &target) {
    schedule_vector_cpu(s.output, target);
}

}  // namespace prcm
