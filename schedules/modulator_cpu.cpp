#include "schedules/elementwise.h"
#include "schedules/modulator_schedule.h"
#include "schedules/plane_sum.h"
#include "schedules/vector.h"

namespace prcm {

using namespace Halide;

namespace {
// A linear_stage: each output's sum over `in` runs in `vec` lanes (rfactor), so the
// weight row is read with dense vector loads, not gathered across outputs as when
// the output axis is vectorized; the lanes are added up at the end.
void schedule_linear_stage_cpu(Func product, int vec) {
    const RVar over_in = product.rvars()[0];
    RVar in_vector("in_vector"), in_lane("in_lane");
    Var lane("lane");
    Func lanes = product.update()
                     .split(over_in, in_vector, in_lane, vec, TailStrategy::GuardWithIf)
                     .rfactor(in_lane, lane);
    lanes.compute_at(product, product.args()[0]).vectorize(lane);
    lanes.update().reorder(lane, in_vector).vectorize(lane);
}
}  // namespace

void schedule_modulator_cpu(ModulatorStages &s, const Target &target) {
    const Axes &v = s.v;
    const Expr plane = s.width * s.height;
    const Expr planes = s.channels * s.batch;

    // Pass 1, the global average pool.
    schedule_plane_sum_cpu(s.gap, v, target, plane, planes);

    // The per-sample vectors are at most a few small matrix-vector products: one core, vectorized.
    for (Func f : s.vectors) {
        schedule_vector_cpu(f, target);
        if (f.has_update_definition()) schedule_linear_stage_cpu(f, target.natural_vector_size<float>());
    }

    // Pass 2, the modulation: the second read of the input and the only write.
    schedule_elementwise_cpu(s.output, v, target, plane, planes);
}

}  // namespace prcm
