// Not measured on a GPU (none here): reasoned on paper, proven on PoCL, PTX assembled for sm_90.
#include "schedules/inverted_bottleneck.h"

namespace prcm {

using namespace Halide;

// One kernel. A block computes the output of one tile of tile_width x tile_height
// pixels (16 x 1 by default) for all C channels. Its three stages run one after the
// other on the same threads, with a barrier between them:
//   dw      the depthwise output of the tile, all C channels, into shared memory;
//   hidden  the expand's activations of the tile, all C*r channels, into shared memory;
//   output  the project, written straight to the output.
// Shared memory per block: tile pixels x (C + C*r) floats (C*r rounded up to a
// multiple of channel_groups * thread_channels); at C=64 and 16 pixels, 12 KiB for
// r=2 and 20 KiB for r=4. Its size follows C, so it is allocated per launch.
// The threads of a block are (tile_width / thread_pixels) x tile_height pixel
// threads by channel_groups channel threads (4 x 1 x 32 = 128 by default); in every
// stage a thread owns thread_pixels adjacent pixels by thread_channels channels
// (4 x 2), looping over the channels its group owns. In the two 1x1 convolutions
// they are summed at once in registers: each load of an activation from shared
// memory (4 pixels at once) feeds 8 FMAs, each load of a weight 4; the pixel threads
// are the fastest, so a warp's loads of a weight hit 8 addresses, the same for its 4
// pixel threads. The depthwise conv (k*k of the k*k + 2*r*C multiply-adds of a pixel
// and channel: 16% at C=64, k=7, r=2) sums one pixel and channel at a time (below).
// On paper (not measured on a GPU): at 1x64x64x64 that is 256 blocks of 128 threads,
// about 2 blocks per SM of an H100; the tile's input is read from L2 with a halo
// of (k - 1) rows, and nothing but the input and the output goes to global memory.
// Where a tile's activations would take more than shared_bytes (C=192 with r=4:
// 60 KiB), the call runs a second version of the kernel whose tile is one thread's
// pixels (thread_pixels x 1, channel_groups threads): 4 x (C + C*r) floats fit in
// 48 KiB up to C + C*r = 3072. Beyond that a CUDA launch is refused (Halide's
// runtime asks for no more than the default 48 KiB); PoCL has room.
// Only portable directives: gpu_blocks, gpu_threads, compute_at, store_in(GPUShared),
// specialize, vectorize, unroll; the same schedule is built for CUDA and OpenCL.
void schedule_inverted_bottleneck_gpu(BottleneckStages &s, const GpuBottleneckKnobs &knobs) {
    const Axes &v = s.v;
    const int pixels = knobs.thread_pixels, channels = knobs.thread_channels;
    const int span = knobs.channel_groups * channels;  // channels a block's threads cover at once
    Var xo("xo"), xi("xi"), xt("xt"), xp("xp"), yo("yo"), yi("yi"), co("co"), cr("cr"), cg("cg"), ci("ci");

    // A stage's threads: pixel threads along x (xt) and y, channel groups (cg); each
    // thread loops over its groups' channels (co) and owns xp x ci of each.
    auto threads = [&](Stage stage, const VarOrRVar &x, const VarOrRVar &y, TailStrategy x_tail, TailStrategy c_tail) {
        stage.split(x, xt, xp, pixels, x_tail)
            .split(v.c, co, cr, span, c_tail)
            .split(cr, cg, ci, channels)
            .reorder(xp, ci, co, xt, y, cg);
    };
    auto blocks = [&](Stage stage, int width, int height) {
        stage.split(v.x, xo, xi, width, TailStrategy::GuardWithIf)
            .split(v.y, yo, yi, height, TailStrategy::GuardWithIf);
        threads(stage, xi, yi, TailStrategy::GuardWithIf, TailStrategy::GuardWithIf);
        stage.reorder(xp, ci, co, xt, yi, cg, xo, yo, v.n)
            .gpu_blocks(xo, yo, v.n)
            .gpu_threads(xt, yi, cg)
            .unroll(xp)
            .unroll(ci);
    };

    Func out = s.output;
    // A tile's activations fit in shared_bytes up to this many channels (C + C*r).
    const int tile_channels = knobs.shared_bytes / (knobs.tile_width * knobs.tile_height * (int)sizeof(float));
    // (Written as <, the form the simplifier keeps, so that it folds the selects below.)
    const Expr fits = s.channels + (s.hidden_channels + span - 1) / span * span < tile_channels + 1;
    blocks(out.specialize(fits), knobs.tile_width, knobs.tile_height);
    blocks(out, pixels, 1);
    // The stages in shared memory span whole tiles, also at the plane's edge (the
    // extra pixels read the padded input's zeros): their size is then the same for
    // every block, not a maximum the host computes over all blocks before a launch.
    // The selects fold to constants in each version of the kernel.
    const Expr tile_width = select(fits, knobs.tile_width, pixels), tile_height = select(fits, knobs.tile_height, 1);
    // A thread's project sums in registers. Rounding its channels up is safe: the
    // weights and biases are read past C (see BottleneckStages), the sums there never stored.
    s.project_sum.compute_at(out, co).bound_extent(v.x, pixels).bound_extent(v.c, channels).vectorize(v.x).unroll(v.c);
    s.project_sum.update().reorder(v.x, v.c, s.over_hidden.x).vectorize(v.x).unroll(v.c);

    // Rounded up in x and in the hidden channels: the extra pixels read the padded
    // input's zeros, the extra channels the last channel's weights, and nothing reads them.
    // (Not vectorized: a vector relu fails Halide's OpenCL codegen, EliminateBoolVectors.)
    s.hidden.compute_at(out, xo)
        .store_in(MemoryType::GPUShared)
        .bound_extent(v.x, tile_width)
        .bound_extent(v.y, tile_height);
    threads(s.hidden, v.x, v.y, TailStrategy::RoundUp, TailStrategy::RoundUp);
    s.hidden.gpu_threads(xt, v.y, cg).unroll(xp).unroll(ci);
    s.expand_sum.compute_at(s.hidden, co).vectorize(v.x).unroll(v.c);
    s.expand_sum.update().reorder(v.x, v.c, s.over_channels.x).vectorize(v.x).unroll(v.c);

    // Guarded in the channels: beyond C the input has no plane to read.
    s.dw.compute_at(out, xo)
        .store_in(MemoryType::GPUShared)
        .bound_extent(v.x, tile_width)
        .bound_extent(v.y, tile_height);
    threads(s.dw, v.x, v.y, TailStrategy::RoundUp, TailStrategy::GuardWithIf);
    s.dw.gpu_threads(xt, v.y, cg);
    // One pixel and channel at a time, inside the guard, so that Halide partitions the
    // taps' loops at that pixel's edges of the plane: a tap outside the plane is then
    // skipped, not a zero times its weight, which is NaN for a NaN weight where the
    // reference (and torch) give a number. (Four pixels unrolled shared each weight
    // load, but their edges differ: a tap outside one pixel's plane was multiplied.)
    s.dw_sum.compute_at(s.dw, xp);
}

}  // namespace prcm
