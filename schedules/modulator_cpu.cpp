#include "schedules/modulator.h"
#include "schedules/plane_sum.h"
#include "schedules/vector.h"

#include <numeric>

namespace prcm {

using namespace Halide;

namespace {
// A linear_stage: each output's sum over `in` runs in `vec` lanes (rfactor), so the
// weight row is read with dense vector loads, not gathered across outputs as when
// the output axis is vectorized. `rows_at_once` outputs share each load of `in`,
// their lanes in as many registers (whole blocks of rows: past the last output the
// stage repeats the weight's last row), then each output's lanes added across.
void schedule_linear_stage_cpu(Func product, int vec, int rows_at_once) {
    const RVar over_in = product.rvars()[0];
    const Expr in_features = product.function().update(0).schedule().rvars()[0].extent;
    const Var out = product.args()[0];
    RVar in_vector("in_vector"), in_lane("in_lane");
    Var lane("lane"), rows("rows"), row("row");
    Func lanes =
        product.update().split(over_in, in_vector, in_lane, vec, TailStrategy::GuardWithIf).rfactor(in_lane, lane);
    product.update().split(out, rows, row, rows_at_once, TailStrategy::RoundUp).reorder(in_lane, row, rows).unroll(row);
    // Its zeroing too covers whole blocks: Halide bounded it by the outputs read, and
    // the block's last rows summed onto unwritten stack (tests/scratch_poison_test.cpp;
    // PRCM_SE on the x86-64 baseline). Measured 2026-12-04, Intel Xeon VM, AVX-512, 1 thread,
    // min of 5 interleaved rounds: PRCM_SE 1x24x4x4 0.0015 -> 0.0017 ms; 8x8 and 64x64 level.
    product.align_bounds(out, std::lcm(vec, rows_at_once));
    // With `vec` inputs or more, all the lanes are summed: in a few shuffles and adds.
    // Measured 2026-12-04, Intel Xeon VM, medians of 7 interleaved rounds, against sums
    // in memory and lanes added one by one: PRCM_SE 1x128x4x4 0.0116 -> 0.0091 ms, 1x128x8x8
    // 0.0142 -> 0.0117; 1x64x64x64 level.
    product.update().specialize(in_features >= vec).atomic().vectorize(in_lane);
    lanes.compute_at(product, rows).reorder_storage(lane, out).vectorize(lane).unroll(out);
    lanes.update().reorder(lane, out, in_vector).vectorize(lane).unroll(out);
}
}  // namespace

void schedule_modulator_cpu(ModulatorStages &s, const ModulatorKnobs &knobs) {
    const Axes &v = s.v;
    const int vec = knobs.lanes;
    const Expr plane = s.width * s.height;
    const Expr planes = s.channels * s.batch;
    const Expr sample = plane * s.channels;

    // A sample at a time: its pool, its vectors, then its modulation, which reads the
    // sample back while it is still in cache (2x64x64x64 samples are 1 MiB each; the
    // whole batch would be read back from L3). Within a sample, both passes split the
    // channels into the same tasks, so with the thread pool's fixed shares each core
    // reads back its own channels.
    Func out = s.output;
    Var xo("xo"), xi("xi"), task("task"), c_in_task("c_in_task");
    out.split(v.c, task, c_in_task, max(1, knobs.task_elements / plane), TailStrategy::GuardWithIf);
    auto split_into_tasks = [&](Stage stage) {
        stage.specialize(plane * planes <= knobs.serial_elements);
        // Samples too small to split into two tasks are the tasks themselves.
        stage.specialize(sample < 2 * knobs.task_elements).parallel(v.n);
        stage.parallel(task);
    };
    // Rows of half a vector or a quarter: a vector of that width a row, where a full
    // one loaded and stored each row under a mask (a third of PRCM at 1x128x8x8, perf).
    // The pool and vectors, computed per sample inside it, are compiled into each branch.
    for (int row_lanes : {vec / 2, vec / 4}) {
        if (row_lanes < 4) continue;
        Stage rows = out.specialize(s.width == row_lanes);
        rows.vectorize(v.x, row_lanes, TailStrategy::GuardWithIf);
        split_into_tasks(rows);
    }
    out.split(v.x, xo, xi, vec, TailStrategy::GuardWithIf).vectorize(xi);
    split_into_tasks(out);
    const LoopLevel per_sample(out, v.n);

    // Pass 1, the global average pool.
    schedule_plane_sum_cpu(s.gap, v, {vec, knobs.serial_elements, knobs.task_elements}, plane, planes, per_sample);
    s.gap.sum.store_in(MemoryType::Stack);

    // The mean (once per channel, not in every product that reads it) and the per-sample
    // vectors, at most a few small matrix-vector products: one core, vectorized. They live
    // on the stack, like the pool's sums (Halide moves a Func to the heap past 16 KiB),
    // so a small call allocates nothing.
    // The vectors after ctx are whole vectors (RoundUp; their weights repeat the last
    // row past the last output): under a mask, an inline sum's last vector was zeroed
    // in its lanes in use only, then loaded and added to whole, its other lanes being
    // whatever the stack held (tests/scratch_poison_test.cpp). ctx stays masked: past C
    // it would read pool sums nobody wrote.
    schedule_vector_cpu(s.ctx, vec, per_sample);
    s.ctx.store_in(MemoryType::Stack);
    for (Func f : s.vectors) {
        schedule_vector_cpu(f, vec, per_sample, TailStrategy::RoundUp);
        f.store_in(MemoryType::Stack);
        if (f.has_update_definition()) schedule_linear_stage_cpu(f, vec, knobs.linear_rows);
    }
}

}  // namespace prcm
