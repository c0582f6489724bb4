// Measured: (pending)
#include "schedules/inverted_bottleneck.h"

namespace prcm {

using namespace Halide;

namespace {
// Rows per parallel task. The zero-padded input is staged per strip, so a strip
// also copies k - 1 rows of its neighbours: (8 + 6) / 8 of the input at k = 7.
constexpr int kStripRows = 8;
// A register tile is a few vectors of pixels along x by this many channels.
constexpr int kTileChannels = 4;
}  // namespace

// One fused pass: per strip of rows the padded input is staged; per row the
// depthwise output (all C) and the hidden row (all C*r) are computed into
// buffers that stay in cache, and the project writes the output tile by tile.
// Every sum runs in a register tile: vectors along x, channels unrolled.
void schedule_inverted_bottleneck_cpu(BottleneckStages &s, const Target &target) {
    const Axes &v = s.v;
    const int vec = target.natural_vector_size<float>();
    // AVX-512 has 32 vector registers: 4 x 4 accumulators leave room for the operands.
    const int tile_vectors = target.has_feature(Target::AVX512) ? 4 : 2;
    const int tile_x = vec * tile_vectors;

    Var yo("yo"), yi("yi"), xo("xo"), xi("xi"), co("co"), ci("ci"), xv("xv"), xl("xl"), strip("strip");
    Func out = s.output;
    out.split(v.y, yo, yi, kStripRows, TailStrategy::GuardWithIf)
        .split(v.x, xo, xi, tile_x, TailStrategy::GuardWithIf)
        .split(v.c, co, ci, kTileChannels, TailStrategy::GuardWithIf)
        .reorder(xi, ci, xo, co, yi, yo, v.n)
        .vectorize(xi, vec)
        .fuse(yo, v.n, strip)
        .parallel(strip);

    // The project: a tile of tile_x pixels by kTileChannels output channels,
    // summed over C*r. Rounding the tile up is safe: weights read zero beyond C.
    s.project_sum.compute_at(out, xo)
        .bound_extent(v.x, tile_x)
        .bound_extent(v.c, kTileChannels)
        .split(v.x, xv, xl, vec)
        .vectorize(xl)
        .unroll(xv)
        .unroll(v.c);
    s.project_sum.update()
        .split(v.x, xv, xl, vec)
        .reorder(xl, xv, v.c, s.over_hidden.x)
        .vectorize(xl)
        .unroll(xv)
        .unroll(v.c);

    // The hidden row, all C*r channels, in the same register tiles.
    s.hidden.compute_at(out, yi)
        .split(v.x, xo, xi, tile_x, TailStrategy::RoundUp)
        .split(v.c, co, ci, kTileChannels, TailStrategy::RoundUp)
        .reorder(xi, ci, xo, co)
        .vectorize(xi, vec);
    s.expand_sum.compute_at(s.hidden, xo)
        .split(v.x, xv, xl, vec)
        .vectorize(xl)
        .unroll(xv)
        .unroll(v.c);
    s.expand_sum.update()
        .split(v.x, xv, xl, vec)
        .reorder(xl, xv, v.c, s.over_channels.x)
        .vectorize(xl)
        .unroll(xv)
        .unroll(v.c);

    // The depthwise row, all C channels: one channel's tile_x pixels per register tile.
    s.dw.compute_at(out, yi)
        .split(v.x, xo, xi, tile_x, TailStrategy::RoundUp)
        .reorder(xi, xo, v.c)
        .vectorize(xi, vec);
    s.dw_sum.compute_at(s.dw, xo)
        .split(v.x, xv, xl, vec)
        .vectorize(xl)
        .unroll(xv);
    s.dw_sum.update()
        .split(v.x, xv, xl, vec)
        .reorder(xl, xv, s.kernel.x, s.kernel.y)
        .vectorize(xl)
        .unroll(xv);

    // Staging the padded strip keeps the boundary select out of the depthwise loop;
    // the copy's own select is partitioned away in the interior.
    const std::vector<Var> padded_args = s.padded.args();
    s.padded.compute_at(out, strip).vectorize(padded_args[0], vec);

    // The 1x1 weights are staged once, rounded up to whole channel tiles.
    for (Func w : {s.expand_weight, s.expand_bias, s.project_weight, s.project_bias}) {
        w.compute_root();
    }
}

}  // namespace prcm
