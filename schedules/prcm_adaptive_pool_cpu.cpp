// Measured (median ms, ps 4, r 2; Xeon 2.1 GHz AVX-512, shared 2-core host): 1x128x4x4 0.028 (1 thread),
// 8x8 0.036 / 0.035 (1 / 2 threads), 16x16 0.049 / 0.050, 64x64 0.22-0.26 (1 thread, noisy).
// At 1x64x64x64 (scripts/peer_bench.py --rounds 5, fresh clone) ps 2: 1 thread 0.098 ms (PyTorch 1.170, ONNX Runtime 0.358), 2 threads 0.059 ms (0.822, 0.226);
// ps 4: 1 thread 0.098 ms (PyTorch 1.025, ONNX Runtime 0.322), 2 threads 0.067 ms (0.857, 0.230); ps 8: 1 thread 0.162 ms (PyTorch 1.101, ONNX Runtime 0.363), 2 threads 0.116 ms (1.070, 0.248).
#include "schedules/elementwise.h"
#include "schedules/prcm_adaptive_pool.h"

namespace prcm {

using namespace Halide;

namespace {

// out(p, o, n) += weight(o, r) * in(p, r, n): a tile of a vector of pixels by a
// block of output channels accumulates in registers over all the inputs; the
// blocks of a sample (which share its pixels in cache) are the parallel tasks.
// Whole vectors of pixels: past the map, pooled repeats its last pixel. `work`
// counts multiply-adds, a lane of one costing about what a copied element does.
void schedule_conv_cpu(Func conv, const Var &p, const Var &out, const RVar &in, const Var &n,
                       const AdaptivePoolKnobs &knobs, const Expr &work) {
    const int vec = knobs.lanes;
    Var po("po"), pi("pi"), oo("oo"), oi("oi");
    Func tiles = conv.in();
    tiles.compute_root()
        .store_in(MemoryType::Stack)
        .split(p, po, pi, vec, TailStrategy::RoundUp)
        .split(out, oo, oi, knobs.conv_block, TailStrategy::GuardWithIf)
        .reorder(pi, oi, po, oo, n)
        .vectorize(pi)
        .unroll(oi);
    tiles.specialize(work <= knobs.serial_elements * vec);
    tiles.parallel(oo);
    conv.compute_at(tiles, po).store_in(MemoryType::Register).vectorize(p).unroll(out);
    conv.update().reorder(p, out, in).vectorize(p).unroll(out);
}

}  // namespace

void schedule_prcm_adaptive_pool_cpu(AdaptivePoolStages &s, const AdaptivePoolKnobs &knobs) {
    const int vec = knobs.lanes;
    const Axes &v = s.v;
    const Expr plane = s.width * s.height;
    const Expr planes = s.channels * s.batch;

    // The tables, once a call: x86 vectors have no integer division. They, the pooled map
    // and the convolutions' outputs live on the stack, so a small call allocates nothing
    // (Halide moves a Func to the heap past 16 KiB).
    for (Func table : {s.row_start, s.row_count, s.column_start, s.column_count, s.pixel_bins, s.column_taps,
                       s.row_taps}) {
        table.compute_root().store_in(MemoryType::Stack);
    }

    // The pool reads x once: each task pools whole planes, the rows of each bin
    // summed a vector along W at a time, then each pixel's columns.
    Var cn("cn"), task("task"), plane_in_task("plane_in_task"), group("group"), lane("lane");
    s.pooled.compute_root().store_in(MemoryType::Stack);
    // Small maps pool a vector of channels at once, every bin and tap then uniform
    // across lanes; the scratch keeps channels innermost (one plane: the same layout).
    const Expr small_map = s.width < vec && plane <= knobs.small_plane;
    Stage small_pool = s.pooled.specialize(small_map);
    small_pool.split(v.c, group, lane, vec, TailStrategy::GuardWithIf)
        .reorder(lane, s.p, group, v.n)
        .vectorize(lane)
        .fuse(group, v.n, cn)
        .split(cn, task, plane_in_task, max(1, knobs.task_elements / (plane * vec)), TailStrategy::GuardWithIf);
    small_pool.specialize(plane * planes <= knobs.serial_elements);
    small_pool.parallel(task);
    s.pooled.vectorize(s.p, vec, TailStrategy::RoundUp)
        .fuse(v.c, v.n, cn)
        .split(cn, task, plane_in_task, max(1, knobs.task_elements / plane), TailStrategy::GuardWithIf);
    s.pooled.specialize(plane * planes <= knobs.serial_elements);
    s.pooled.parallel(task);
    // A plane's scratch is allocated once per task, not once per plane (a malloc each
    // of 2 x 128 planes was a fifth of the call at 1x128x8x8).
    const LoopLevel pool_task(s.pooled, task);
    s.pooled_rows.compute_at(s.pooled, plane_in_task).hoist_storage(pool_task).reorder_storage(v.c, v.x, s.j, v.n);
    s.pooled_rows.specialize(small_map).vectorize(v.c, vec, TailStrategy::GuardWithIf);
    s.pooled_rows.vectorize(v.x, vec, TailStrategy::GuardWithIf);
    s.pooled_rows.update().specialize(small_map).reorder(v.c, s.bin_rows, v.x, s.j).vectorize(v.c, vec, TailStrategy::GuardWithIf);
    s.pooled_rows.update().reorder(v.x, s.bin_rows, s.j).vectorize(v.x, vec, TailStrategy::GuardWithIf);
    s.binned.compute_at(s.pooled, plane_in_task).hoist_storage(pool_task).reorder_storage(v.c, s.p, v.n);
    s.binned.specialize(small_map).vectorize(v.c, vec, TailStrategy::GuardWithIf);
    s.binned.vectorize(s.p, vec, TailStrategy::GuardWithIf);
    // Bins of a vector or more: a vector along each pixel's window, summed across.
    // Narrower bins: a vector of pixels, their columns gathered.
    Stage columns = s.binned.update();
    columns.specialize(small_map).reorder(v.c, s.bin_columns.x, s.p).vectorize(v.c, vec, TailStrategy::GuardWithIf);
    RVar window_vector("window_vector"), in_vector("in_vector");
    columns.specialize(s.bin_columns.x.extent() >= vec)
        .split(s.bin_columns.x, window_vector, in_vector, vec, TailStrategy::GuardWithIf)
        .atomic()
        .vectorize(in_vector);
    columns.reorder(s.p, s.bin_columns.x).vectorize(s.p, vec, TailStrategy::GuardWithIf);

    const Expr conv_work = s.pooled_width * s.pooled_height * s.batch * s.channels * s.hidden_channels;
    schedule_conv_cpu(s.expanded, s.p, s.k, s.over_c, v.n, knobs, conv_work);
    schedule_conv_cpu(s.projected, s.p, v.c, s.over_k, v.n, knobs, conv_work);

    // The full-size pass: each plane interpolated along W at its few pooled rows, then
    // every output row a blend of two of them, a vector along W at a time. The
    // interpolation's reads are gathers, which x86 vectors would only scalarize.
    const PlaneLoops output_loops = schedule_elementwise_cpu(s.output, v, {vec, knobs.serial_elements, knobs.task_elements}, plane, planes);
    s.upsampled_columns.compute_at(output_loops.plane).hoist_storage(output_loops.task);
}

}  // namespace prcm
