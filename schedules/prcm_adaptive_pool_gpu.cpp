// Measured: not on a GPU (none here); proven correct on PoCL, PTX assembled for sm_90.
#include "schedules/elementwise.h"
#include "schedules/prcm_adaptive_pool.h"

namespace prcm {

using namespace Halide;

namespace {
// One thread per element of the first dimension (a reduction runs serially in
// it), `threads` of them per block, blocks over the rest.
void gpu_rows(Stage stage, int threads, const Var &first, const Var &second, const Var &third) {
    Var outer("outer"), inner("inner");
    stage.split(first, outer, inner, threads, TailStrategy::GuardWithIf)
        .gpu_blocks(outer, second, third)
        .gpu_threads(inner);
}
}  // namespace

void schedule_prcm_adaptive_pool_gpu(AdaptivePoolStages &s, const GpuAdaptivePoolKnobs &knobs) {
    const Axes &v = s.v;
    // The tables stay inlined: a GPU divides integers in the kernels that use them.

    // Rows of a bin summed with adjacent threads on adjacent x (coalesced).
    Var cn("cn");
    s.pooled_rows.compute_root().fuse(v.c, v.n, cn);
    gpu_rows(s.pooled_rows, knobs.threads, v.x, s.j, cn);
    s.pooled_rows.update().fuse(v.c, v.n, cn);
    gpu_rows(s.pooled_rows.update(), knobs.threads, v.x, s.j, cn);

    for (Func f : {s.binned, s.pooled}) {
        f.compute_root();
        gpu_rows(f, knobs.threads, s.p, v.c, v.n);
    }
    gpu_rows(s.binned.update(), knobs.threads, s.p, v.c, v.n);

    // The convolutions: a thread per output pixel and channel, the channel sum serial in it.
    s.expanded.compute_root();
    gpu_rows(s.expanded, knobs.threads, s.p, s.k, v.n);
    gpu_rows(s.expanded.update(), knobs.threads, s.p, s.k, v.n);
    s.projected.compute_root();
    gpu_rows(s.projected, knobs.threads, s.p, v.c, v.n);
    gpu_rows(s.projected.update(), knobs.threads, s.p, v.c, v.n);

    // The interpolation along W is inlined: four reads of the small map per output.
    schedule_elementwise_gpu(s.output, v, {knobs.block_width, knobs.block_height});
}

}  // namespace prcm
