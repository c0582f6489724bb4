// The inverted bottleneck over a plane's pixels in one run (the twin "flat", see
// generators/inverted_bottleneck_flat.cpp), on CPUs. The tiles of the other form, by
// pixel: `tile_rows` vectors of consecutive pixels (whatever their rows) by
// `tile_channels` channels; per tile of pixels the depthwise output (all C) and the hidden
// activations (all C*r) go to buffers that stay in cache, and every sum runs in registers.
// Where the target has a second, wider tile (`flat_wide_tile_rows`), a plane that it
// leaves fewer lanes idle at takes it (flat_wide_tiles_taken).
// Its timings against the other form: docs/schedule-decisions.md, "The flat form".
#include "schedules/inverted_bottleneck.h"

#include <numeric>

namespace prcm {

using namespace Halide;

// Where they compute a 32nd fewer pixels or more: at 65x65 (4256 pixels against 4288, 0.75%)
// the wide tiles were 1.3% faster on 1 thread and 10% slower on 2 (1.7684 -> 1.7452 and
// 0.9216 -> 1.0139 ms), their 5 tasks of 8 tiles shared 3 to 2.
Expr flat_wide_tiles_taken(const Expr &pixels, const BottleneckKnobs &knobs) {
    const int narrow = knobs.lanes * knobs.tile_rows, wide = knobs.lanes * knobs.flat_wide_tile_rows;
    auto computed = [&](int tile) { return (pixels + tile - 1) / tile * tile; };
    return pixels >= wide && computed(wide) * 32 <= computed(narrow) * 31;
}

void schedule_inverted_bottleneck_flat_cpu(FlatBottleneckStages &s, const BottleneckKnobs &knobs) {
    const Var &p = s.p, &c = s.c, &n = s.n;
    const int vec = knobs.lanes;
    const Expr macs =
        cast<int64_t>(s.pixels * s.batch) * (s.channels * (s.kernel_size * s.kernel_size + 2 * s.hidden_channels));
    const Expr serial = macs <= knobs.serial_macs;
    Var po("po"), pi("pi"), pv("pv"), pl("pl"), co("co"), ci("ci"), task("task"), job("job");
    Func out = s.output;

    // The loops of one specialization of the output, for register tiles of `tile_rows`
    // vectors by `channels`.
    auto schedule_tiles = [&](Stage stage, TailStrategy tail, int tile_rows, int channels) {
        const int tile = vec * tile_rows;
        // Tiles of a task: about two tasks a thread per sample, so that the pool balances them,
        // and 8 at most, so that a task's staged input stays in L2. Any grouping gives the same
        // result: a pixel's sums do not depend on its tile.
        const Expr tiles = (s.pixels + tile - 1) / tile;
        const Expr tiles_per_task = clamp(tiles / max(1, 2 * s.cpu_threads), 1, 8);
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

    // The sums of the tiles of `tile_rows` vectors by `channels`, at the output's tile (po).
    auto schedule_sums = [&](FlatBottleneckSums &sums, int tile_rows, int channels) {
        const int tile = vec * tile_rows;
        // A register tile: the tile's pixel vectors by a channel tile, rounded up past the last
        // channel (the weights and biases read past it, see BottleneckStages). Every loop that
        // reads it back is unrolled, so that it stays in registers.
        auto register_tile = [&](Func sum, const LoopLevel &at, const RVar &over) {
            sum.compute_at(at).bound_extent(p, tile).bound_extent(c, channels);
            sum.split(p, pv, pl, vec).reorder(pl, pv, c).vectorize(pl).unroll(pv).unroll(c);
            sum.update().split(p, pv, pl, vec).reorder(pl, pv, c, over).vectorize(pl).unroll(pv).unroll(c);
        };
        register_tile(sums.project_sum, LoopLevel(out, co), s.over_hidden.x);

        // The tile's hidden activations, all C*r channels, a channel tile at a time.
        Var hco("hco"), hci("hci");
        sums.hidden.compute_at(out, po)
            .bound_extent(p, tile)
            .split(c, hco, hci, channels, TailStrategy::RoundUp)
            .split(p, pv, pl, vec)
            .reorder(pl, pv, hci, hco)
            .vectorize(pl)
            .unroll(pv)
            .unroll(hci);
        register_tile(sums.expand_sum, LoopLevel(sums.hidden, hco), s.over_channels.x);

        // The tile's depthwise output, all C channels, a channel at a time; its columns of taps
        // summed one at a time (only one column's vectors live), unrolled at the notebooks' k.
        sums.dw.compute_at(out, po).bound_extent(p, tile);
        sums.dw.split(p, pv, pl, vec).reorder(pl, pv, c).vectorize(pl).unroll(pv);
        sums.dw_sum.compute_at(sums.dw, c).bound_extent(p, tile).split(p, pv, pl, vec).vectorize(pl).unroll(pv);
        sums.tap_columns.compute_at(sums.dw_sum, s.kernel_columns.x)
            .bound_extent(p, tile)
            .split(p, pv, pl, vec)
            .vectorize(pl)
            .unroll(pv);
        Stage dw_update = sums.dw_sum.update().split(p, pv, pl, vec).reorder(pl, pv, s.kernel_columns.x);
        Stage taps_update = sums.tap_columns.update().split(p, pv, pl, vec).reorder(pl, pv, s.kernel_rows.x);
        for (Stage stage : {dw_update, taps_update}) stage.vectorize(pl).unroll(pv);
        if (knobs.unrolled_kernel_size > 0) {
            const Expr at_k = s.kernel_size == knobs.unrolled_kernel_size;
            sums.dw_sum.update().specialize(at_k).unroll(s.kernel_columns.x);
            sums.tap_columns.update().specialize(at_k).unroll(s.kernel_rows.x);
        }
    };

    // A plane of a tile or more: its last tile shifted inwards over pixels the tile before
    // computed too; a smaller one (fewer pixels than a tile) is one tile, its stores guarded.
    // Where the target has wide tiles, the planes they leave fewer lanes idle at take them.
    const int narrow_tile = vec * knobs.tile_rows;
    if (s.wide.defined()) {
        schedule_tiles(out.specialize(s.wide_tiles), TailStrategy::ShiftInwards, knobs.flat_wide_tile_rows,
                       knobs.flat_wide_tile_channels);
        schedule_sums(s.wide, knobs.flat_wide_tile_rows, knobs.flat_wide_tile_channels);
    }
    schedule_tiles(out.specialize(s.pixels >= narrow_tile), TailStrategy::ShiftInwards, knobs.tile_rows,
                   knobs.tile_channels);
    schedule_tiles(out, TailStrategy::GuardWithIf, knobs.tile_rows, knobs.tile_channels);
    schedule_sums(s.narrow, knobs.tile_rows, knobs.tile_channels);

    // A task's pixels and the taps' halo, staged once with the zeros around the plane: the
    // taps then read it without a test, where a tile whose halo reached past the plane (every
    // tile of a 12x12 or 20x20 plane) loaded its lanes one by one.
    s.plane.compute_at(out, job).vectorize(s.plane.args()[0], vec);

    // Each pixel's column, once per call (a vector's p % W would divide lane by lane).
    s.column.compute_root().vectorize(p, vec, TailStrategy::RoundUp);

    // The biases over whole channel tiles (the tiles past the last channel start from them).
    int whole_tiles = std::lcm(vec, knobs.tile_channels);
    if (s.wide.defined()) whole_tiles = std::lcm(whole_tiles, knobs.flat_wide_tile_channels);
    for (Func b : {s.expand_bias, s.project_bias}) {
        b.compute_root().align_bounds(b.args()[0], whole_tiles).vectorize(b.args()[0], vec);
    }
}

}  // namespace prcm
