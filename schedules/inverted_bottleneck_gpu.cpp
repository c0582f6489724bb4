// Measured: not on a GPU (none here); proven on PoCL, PTX assembled for sm_90.
#include "schedules/inverted_bottleneck.h"

namespace prcm {

using namespace Halide;

// One kernel: per block, the depthwise output (all C) and the hidden activations
// (all C*r) of its pixels go to block-private scratch in global memory (their size
// follows C, which shared memory could not hold for every C; Halide allocates it
// on the device per call), then each thread projects its pixel. Only portable
// directives: gpu_blocks, gpu_threads, compute_at, store_in(Heap).
// A block is a tile of tile_width x tile_height pixels, one thread per pixel;
// adjacent threads take adjacent x, so every plane is read and written coalesced.
// A thread sums thread_channels channels at once: one load of an activation feeds
// that many FMAs.
void schedule_inverted_bottleneck_gpu(BottleneckStages &s, const GpuBottleneckKnobs &knobs) {
    const Axes &v = s.v;
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), co("co"), ci("ci");
    Func out = s.output;
    out.split(v.x, xo, xi, knobs.tile_width, TailStrategy::GuardWithIf)
        .split(v.y, yo, yi, knobs.tile_height, TailStrategy::GuardWithIf)
        .split(v.c, co, ci, knobs.thread_channels, TailStrategy::GuardWithIf)
        .reorder(ci, co, xi, yi, xo, yo, v.n)
        .gpu_blocks(xo, yo, v.n)
        .gpu_threads(xi, yi)
        .unroll(ci);
    // Rounding a thread's channels up is safe: weights read zero beyond C.
    s.project_sum.compute_at(out, co).bound_extent(v.c, knobs.thread_channels).unroll(v.c);
    s.project_sum.update().reorder(v.c, s.over_hidden.x).unroll(v.c);

    s.hidden.compute_at(out, xo)
        .store_in(MemoryType::Heap)
        .split(v.c, co, ci, knobs.thread_channels, TailStrategy::RoundUp)
        .reorder(ci, co, v.x, v.y)
        .gpu_threads(v.x, v.y)
        .unroll(ci);
    s.expand_sum.compute_at(s.hidden, co).unroll(v.c);
    s.expand_sum.update().reorder(v.c, s.over_channels.x).unroll(v.c);

    s.dw.compute_at(out, xo)
        .store_in(MemoryType::Heap)
        .reorder(v.c, v.x, v.y)
        .gpu_threads(v.x, v.y);
    s.dw_sum.compute_at(s.dw, v.c);
}

}  // namespace prcm
