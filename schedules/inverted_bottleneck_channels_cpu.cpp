// The inverted bottleneck with its vectors over channels (the twin "channels", see
// generators/inverted_bottleneck_channels.cpp), on CPUs. A tile of `channels_tile` pixels
// (whatever their rows; a plane's last tile shifted inwards) computes its depthwise output
// (all C), its hidden activations (all C*r: 28 KiB at C*r = 256, in L1) and its projection,
// each in register tiles of `channels_tile_pixels` pixels by `channels_tile_vectors` channel
// vectors that broadcast one activation per pixel; then it transposes the projection out to
// (p, c). Each task stages its rows and their halo, zero-padded, channels innermost.
// Its timings against the other forms: docs/schedule-decisions.md, "The channels twin".
#include "schedules/inverted_bottleneck.h"

#include <algorithm>

namespace prcm {

using namespace Halide;

void schedule_inverted_bottleneck_channels_cpu(ChannelsBottleneckStages &s, const BottleneckKnobs &knobs) {
    const Var &c = s.c, &p = s.p, &q = s.q, &n = s.n;
    const int vec = knobs.lanes;
    const int tile = std::max({knobs.channels_tile, knobs.channels_tile_pixels, knobs.channels_dw_pixels});
    const Expr macs =
        cast<int64_t>(s.pixels * s.batch) * (s.channels * (s.kernel_size * s.kernel_size + 2 * s.hidden_channels));
    const Expr serial = macs <= knobs.serial_macs;
    Var po("po"), pi("pi"), pv("pv"), pl("pl"), cv("cv"), ci("ci"), cl("cl"), pt("pt"), ptl("ptl"), ct("ct"),
        ctl("ctl"), task("task");
    Func out = s.output;

    // The output's loops: tiles of pixels, grouped into tasks of about two a thread per sample
    // (so that the pool balances them) and 8 at most; in a tile, blocks of a vector of pixels
    // by a vector of channels, each read from the tile's projection a channel at a time. A
    // batch of two samples a thread or more runs a sample a task, else a sample's tasks run
    // in parallel. Any grouping gives the same result: a pixel's sums do not depend on its tile.
    const Expr samples_in_parallel = s.batch >= 2 * s.cpu_threads;
    auto schedule_output = [&](Stage stage, TailStrategy tail) {
        const Expr tiles = (s.pixels + tile - 1) / tile;
        const Expr tiles_per_task = clamp((tiles + 2 * s.cpu_threads - 1) / max(1, 2 * s.cpu_threads), 1, 8);
        stage.split(p, po, pi, tile, tail)
            .split(pi, pt, ptl, vec, TailStrategy::ShiftInwards)
            .split(c, ct, ctl, vec, TailStrategy::GuardWithIf)
            .split(po, task, po, tiles_per_task, TailStrategy::GuardWithIf)
            .reorder(ptl, ctl, pt, ct, po, task, n)
            .vectorize(ptl)
            .unroll(ctl);
        stage.specialize(serial);
        stage.specialize(samples_in_parallel).parallel(n);
        stage.parallel(task);
    };
    // A plane of a tile or more: its last tile shifted inwards over pixels the tile before
    // computed too; a smaller one is one tile, its stores guarded (the stages compute the
    // tile's pixels past the plane from the zeros staged past it).
    schedule_output(out.specialize(s.pixels >= tile), TailStrategy::ShiftInwards);
    schedule_output(out, TailStrategy::GuardWithIf);

    // `f` over the tile's pixels in register tiles of channels_tile_pixels pixels by
    // channels_tile_vectors channel vectors; `sum`, the sum it reads, per register tile, so
    // that it stays in registers. Channels that are not a whole number of such tiles take
    // tiles of half as many vectors (and so on) where those divide them, and tiles of one
    // vector otherwise, the last rounded up past the last channel (its weights clamped to
    // that channel, see the generator): a tile past the last channel read the weights lane by
    // lane (1x96x14x14 r = 2, 64-channel tiles over C = 96: 2.3x slower than the hand form).
    const int tile_pixels = knobs.channels_tile_pixels;
    auto register_tiles = [&](Func f, Func sum, const RVar &over, const Expr &extent) {
        f.compute_at(out, po).bound_extent(p, tile);
        auto tiles_of = [&](Stage stage, int vectors) {
            stage.split(p, pv, pl, tile_pixels, TailStrategy::ShiftInwards)
                .split(c, cv, cl, vec * vectors, TailStrategy::RoundUp)
                .split(cl, ci, cl, vec)
                .reorder(cl, ci, pl, cv, pv, n)
                .vectorize(cl)
                .unroll(ci)
                .unroll(pl);
        };
        for (int vectors = knobs.channels_tile_vectors; vectors > 1; vectors /= 2) {
            tiles_of(f.specialize(extent % (vec * vectors) == 0), vectors);
        }
        tiles_of(f, 1);
        sum.compute_at(f, cv).split(c, ci, cl, vec).reorder(cl, ci, p).vectorize(cl).unroll(ci).unroll(p);
        sum.update().split(c, ci, cl, vec).reorder(cl, ci, p, over).vectorize(cl).unroll(ci).unroll(p);
    };
    register_tiles(s.project, s.project_sum, s.over_hidden.x, s.channels);
    register_tiles(s.hidden, s.expand_sum, s.over_channels.x, s.hidden_channels);

    // The depthwise output a channel vector by channels_dw_pixels pixels at a time: a tap's
    // weights loaded once for those pixels, each pixel's tap one aligned load.
    const int dw_pixels = knobs.channels_dw_pixels;
    s.dw.compute_at(out, po)
        .bound_extent(p, tile)
        .split(c, cv, cl, vec, TailStrategy::RoundUp)
        .split(p, pv, pl, dw_pixels, TailStrategy::ShiftInwards)
        .reorder(cl, pl, cv, pv, n)
        .vectorize(cl)
        .unroll(pl);
    s.dw_sum.compute_at(s.dw, cv).vectorize(c, vec).unroll(p);
    Stage taps = s.dw_sum.update().reorder(c, p, s.kernel.x, s.kernel.y).vectorize(c, vec).unroll(p);
    if (knobs.unrolled_kernel_size > 0) taps.specialize(s.kernel_size == knobs.unrolled_kernel_size).unroll(s.kernel.x);

    // A task's rows and their halo, staged by the thread that runs the task. Staged a sample at
    // a time by the thread that starts the loop, the other thread read them from the first's
    // cache: 1x64x14x14 r = 4 took 0.1186 ms on 2 threads for 0.1447 on 1 (per task 0.0875).
    s.staged.compute_at(out, task).vectorize(c, vec, TailStrategy::RoundUp);
    // Once per call: each pixel's window, and the taps' weights channel innermost.
    s.window.compute_root();
    s.taps.compute_root().vectorize(c, vec, TailStrategy::RoundUp);
    // The biases over whole register tiles (the tiles past the last channel start from them).
    for (Func b : {s.expand_bias, s.project_bias}) {
        b.compute_root().align_bounds(b.args()[0], vec * knobs.channels_tile_vectors).vectorize(b.args()[0], vec);
    }
}

}  // namespace prcm
