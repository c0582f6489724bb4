// Measured: not on a GPU (none here); proven correct on PoCL, PTX assembled for sm_90.
#include "schedules/elementwise.h"
#include "schedules/prcm_adaptive_pool.h"
#include "schedules/vector.h"

namespace prcm {

using namespace Halide;

// Three kernels per call, each computing everything it needs per block (so no
// zeroing kernels and no intermediate but the two small maps in global memory):
// 1. the bins: one block per (pooled pixel, c, n) (256 at 1x64x64x64, ps = 2); its
//    threads sum the rows of the bin's columns (adjacent x on adjacent threads), into
//    shared memory (the bin's window: at most ceil(W / ps) + 1 floats), then one
//    thread sums those columns;
// 2. the convolutions: one block per (pooled pixel, n), conv1 into shared memory
//    (C * r floats), then conv2, a thread per channel in each;
// 3. the interpolation, a tile of the output per block, four reads of the small map
//    per output (the interpolation along W is inlined).
// The tables stay inlined: a GPU divides integers in the kernels that use them.
void schedule_prcm_adaptive_pool_gpu(AdaptivePoolStages &s, const GpuAdaptivePoolKnobs &knobs) {
    const Axes &v = s.v;
    Func binned = schedule_block_per_element(s.binned, s.p, v.c, v.n);  // kernel 1
    Var xo("xo"), xi("xi");
    s.pooled_rows.compute_at(binned, s.p)
        .split(v.x, xo, xi, knobs.pool_lanes, TailStrategy::GuardWithIf)
        .reorder(xo, xi)
        .gpu_threads(xi);
    s.pooled_rows.update()
        .split(v.x, xo, xi, knobs.pool_lanes, TailStrategy::GuardWithIf)
        .reorder(s.bin_rows, xo, xi)
        .gpu_threads(xi);

    Func projected = s.projected.in();  // kernel 2: the projected map's copy
    projected.compute_root().reorder(v.c, s.p, v.n);
    schedule_vector_in_block(projected, v.c, knobs.conv_threads, 1);
    projected.gpu_blocks(s.p, v.n);
    s.projected.compute_at(projected, s.p);
    schedule_vector_in_block(s.projected, v.c, knobs.conv_threads, 1);
    schedule_vector_in_block(s.projected.update(), v.c, knobs.conv_threads, 1);
    s.expanded.compute_at(projected, s.p);
    schedule_vector_in_block(s.expanded, s.k, knobs.conv_threads, 1);
    schedule_vector_in_block(s.expanded.update(), s.k, knobs.conv_threads, 1);

    schedule_elementwise_gpu(s.output, v, {knobs.block_width, knobs.block_height});
}

}  // namespace prcm
