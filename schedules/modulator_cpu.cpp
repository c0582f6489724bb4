#include "schedules/elementwise.h"
#include "schedules/modulator_schedule.h"

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
    const int vec = target.natural_vector_size<float>();
    const Axes &v = s.v;
    const Expr plane = s.width * s.height;
    const Expr planes = s.channels * s.batch;

    // Pass 1, the global average pool: each plane is summed into `vec` vector lanes
    // (rfactor), which keeps the read at full vector width for any W.
    // c is split into tasks within each n (not fused with n), so one plane's lanes
    // have a constant size and live in a register.
    Var lane("lane"), task("task"), c_in_task("c_in_task");
    RVar xo("xo"), xi("xi");
    Func lanes = s.gap.sum.update()
                     .split(s.gap.plane.x, xo, xi, vec, TailStrategy::GuardWithIf)
                     .rfactor(xi, lane);
    s.gap.sum.compute_root();
    s.gap.sum.update().split(v.c, task, c_in_task, max(1, kTaskElements / plane), TailStrategy::GuardWithIf);
    s.gap.sum.update().specialize(plane * planes <= kSerialElements);
    s.gap.sum.update().parallel(task);
    lanes.compute_at(s.gap.sum, c_in_task)
        .reorder_storage(lane, v.c, v.n)
        .vectorize(lane);
    lanes.update().reorder(lane, xo, s.gap.plane.y).vectorize(lane);

    // The per-sample vectors are at most a few small matrix-vector products: one core, vectorized.
    for (Func f : s.vectors) {
        f.compute_root().vectorize(f.args()[0], vec, TailStrategy::GuardWithIf);
        if (f.has_update_definition()) schedule_linear_stage_cpu(f, vec);
    }

    // Pass 2, the modulation: the second read of the input and the only write.
    schedule_elementwise_cpu(s.output, v, target, plane, planes);
}

}  // namespace prcm
