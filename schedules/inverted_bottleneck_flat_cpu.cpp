// The inverted bottleneck over a plane's pixels in one run (the twin "flat", see
// generators/inverted_bottleneck_flat.cpp), on CPUs. The tiles of the other form, by
// pixel: `tile_rows` vectors of consecutive pixels (whatever their rows) by
// `tile_channels` channels; per tile of pixels the depthwise output (all C) and the hidden
// activations (all C*r) go to buffers that stay in cache, and every sum runs in registers.
// Its timings against the other form: docs/schedule-decisions.md, "The flat form".
#include "schedules/inverted_bottleneck.h"

#include <numeric>

namespace prcm {

using namespace Halide;

void schedule_inverted_bottleneck_flat_cpu(FlatBottleneckStages &s, const BottleneckKnobs &knobs) {
    const Var &p = s.p, &c = s.c, &n = s.n;
    const int vec = knobs.lanes;
    const int tile = vec * knobs.tile_rows;
    const int channels = knobs.tile_channels;
    const Expr macs =
        cast<int64_t>(s.pixels * s.batch) * (s.channels * (s.kernel_size * s.kernel_size + 2 * s.hidden_channels));
    const Expr serial = macs <= knobs.serial_macs;
    // Tiles of a task: about two tasks a thread per sample, so that the pool balances them,
    // and 8 at most, so that a task's staged input stays in L2. Any grouping gives the same result:
    // a pixel's sums do not depend on its tile.
    const Expr tiles = (s.pixels + tile - 1) / tile;
    const Expr tiles_per_task = clamp(tiles / max(1, 2 * s.cpu_threads), 1, 8);

    Var po("po"), pi("pi"), pv("pv"), pl("pl"), co("co"), ci("ci"), task("task"), job("job");
    Func out = s.output;
    // A plane of a tile or more: its last tile shifted inwards over pixels the tile before
    // computed too; a smaller one (fewer pixels than a tile) is one tile, its stores guarded.
    auto loops = [&](Stage stage, TailStrategy tail) {
        stage.split(p, po, pi, tile, tail)
            .split(pi, pv, pl, vec)
            .split(c, co, ci, channels, TailStrategy::GuardWithIf)
            .split(po, task, po, tiles_per_task, TailStrategy::GuardWithIf)
            .reorder(pl, pv, ci, co, po, task, n)
            .fuse(task, n, job)
            .vectorize(pl)
            .unroll(pv)
            .unroll(ci);
        stage.specialize(serial);
        stage.parallel(job);
    };
    loops(out.specialize(s.pixels >= tile), TailStrategy::ShiftInwards);
    loops(out, TailStrategy::GuardWithIf);

    // A register tile: the tile's pixel vectors by a channel tile, rounded up past the last
    // channel (the weights and biases read past it, see BottleneckStages). Every loop that
    // reads it back is unrolled, so that it stays in registers.
    auto register_tile = [&](Func sum, const LoopLevel &at, const RVar &over) {
        sum.compute_at(at).bound_extent(p, tile).bound_extent(c, channels);
        sum.split(p, pv, pl, vec).reorder(pl, pv, c).vectorize(pl).unroll(pv).unroll(c);
        sum.update().split(p, pv, pl, vec).reorder(pl, pv, c, over).vectorize(pl).unroll(pv).unroll(c);
    };
    register_tile(s.project_sum, LoopLevel(out, co), s.over_hidden.x);

    // The tile's hidden activations, all C*r channels, a channel tile at a time.
    Var hco("hco"), hci("hci");
    s.hidden.compute_at(out, po)
        .bound_extent(p, tile)
        .split(c, hco, hci, channels, TailStrategy::RoundUp)
        .split(p, pv, pl, vec)
        .reorder(pl, pv, hci, hco)
        .vectorize(pl)
        .unroll(pv)
        .unroll(hci);
    register_tile(s.expand_sum, LoopLevel(s.hidden, hco), s.over_channels.x);

    // The tile's depthwise output, all C channels, a channel at a time; its columns of taps
    // summed one at a time (only one column's vectors live), unrolled at the notebooks' k.
    s.dw.compute_at(out, po).bound_extent(p, tile);
    s.dw.split(p, pv, pl, vec).reorder(pl, pv, c).vectorize(pl).unroll(pv);
    s.dw_sum.compute_at(s.dw, c).bound_extent(p, tile).split(p, pv, pl, vec).vectorize(pl).unroll(pv);
    s.tap_columns.compute_at(s.dw_sum, s.kernel_columns.x)
        .bound_extent(p, tile)
        .split(p, pv, pl, vec)
        .vectorize(pl)
        .unroll(pv);
    Stage dw_update = s.dw_sum.update().split(p, pv, pl, vec).reorder(pl, pv, s.kernel_columns.x);
    Stage taps_update = s.tap_columns.update().split(p, pv, pl, vec).reorder(pl, pv, s.kernel_rows.x);
    for (Stage stage : {dw_update, taps_update}) stage.vectorize(pl).unroll(pv);
    if (knobs.unrolled_kernel_size > 0) {
        const Expr at_k = s.kernel_size == knobs.unrolled_kernel_size;
        s.dw_sum.update().specialize(at_k).unroll(s.kernel_columns.x);
        s.tap_columns.update().specialize(at_k).unroll(s.kernel_rows.x);
    }

    // A task's pixels and the taps' halo, staged once with the zeros around the plane: the
    // taps then read it without a test, where a tile whose halo reached past the plane (every
    // tile of a 12x12 or 20x20 plane) loaded its lanes one by one.
    s.plane.compute_at(out, job).vectorize(s.plane.args()[0], vec);

    // Each pixel's column, once per call (a vector's p % W would divide lane by lane).
    s.column.compute_root().vectorize(p, vec, TailStrategy::RoundUp);

    // The biases over whole channel tiles (the tiles past the last channel start from them).
    const int whole_tiles = std::lcm(vec, channels);
    for (Func b : {s.expand_bias, s.project_bias}) {
        b.compute_root().align_bounds(b.args()[0], whole_tiles).vectorize(b.args()[0], vec);
    }
}

}  // namespace prcm
