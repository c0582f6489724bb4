#include "schedules/elementwise.h"
#include "schedules/modulator_schedule.h"
#include "schedules/plane_sum.h"
#include "schedules/vector.h"

namespace prcm {

using namespace Halide;

void schedule_modulator_cpu(ModulatorStages &s, const Target &target) {
    const Axes &v = s.v;
    const Expr plane = s.width * s.height;
    const Expr planes = s.channels * s.batch;

    // Pass 1, the global average pool.
    schedule_plane_sum_cpu(s.gap, v, target, plane, planes);

    // The per-sample vectors are a few hundred multiply-adds: one core, vectorized.
    for (Func f : s.vectors) {
        schedule_vector_cpu(f, target);
    }

    // Pass 2, the modulation: the second read of the input and the only write.
    schedule_elementwise_cpu(s.output, v, target, plane, planes);
}

}  // namespace prcm
