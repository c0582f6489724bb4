// The inverted bottleneck on CPUs. Its timings live in docs/performance.md (generated
// by `prcm report`); the measurements behind the decisions below, with their dates and
// machines, in docs/schedule-decisions.md.
#include "schedules/inverted_bottleneck.h"

#include <algorithm>
#include <numeric>

namespace prcm {

using namespace Halide;

namespace {
// A narrow plane's register tile: pixel vectors of whole rows by output channels,
// as many accumulators as a wide tile, or fewer where one vector would need more than
// kNarrowMaxChannels channels. Each FMA broadcasts its weight from one of the
// channels' rows, so fewer channels spare the registers that address them.
struct NarrowTile {
    int width, rows, channels;
    // Taken where the plane has this many rows or more (a tile for tall planes), or
    // fewer (the tile it leaves the others): each branch then knows its tile's size.
    int min_height = 0, below_height = 0;
    // The plane's width where its rows are narrower than the tile's, padded to it.
    int plane_width = 0;
    // Samples a tile spans: its plane whole (`rows` high), in a batch of a multiple of them
    // and two tiles or more.
    int samples = 1;

    Expr applies(const BottleneckStages &s) const {
        Expr e = s.width == (plane_width > 0 ? plane_width : width);
        if (min_height > 0) e = e && s.height >= min_height;
        if (below_height > 0) e = e && s.height < below_height;
        if (samples > 1) e = e && s.height == rows && s.batch % samples == 0 && s.batch >= 2 * samples;
        return e;
    }
};

// The least multiple of `multiple` that is `value` or more (value >= 0).
Expr round_up(const Expr &value, const Expr &multiple) { return (value + multiple - 1) / multiple * multiple; }
// The greatest multiple of `multiple` that is -`span` or less (span >= 0): a halo's
// start, aligned.
Expr aligned_below(const Expr &span, const Expr &multiple) { return -((span + multiple - 1) / multiple) * multiple; }
}  // namespace

std::vector<int> narrow_plane_widths(int lanes) {
    std::vector<int> widths;
    for (int w : {lanes / 2, lanes / 4}) {
        if (w >= 2) widths.push_back(w);
    }
    return widths;
}

std::vector<int> padded_narrow_plane_widths(int lanes) {
    if (lanes < 16) return {};
    return {lanes / 2 - 1};
}

// One fused pass: per strip of rows the padded input is staged; per tile of pixels
// the depthwise output (all C) and the hidden activations (all C*r) go to buffers
// that stay in cache, and the project writes the tile's output. Every sum runs in
// registers. A wide plane's tile is one vector along x by a few rows, by
// tile_channels channels. A narrow plane (W = vec / 2 or vec / 4) would waste most
// lanes so: its tile is whole rows, x and y vectorized together (see NarrowTile).
void schedule_inverted_bottleneck_cpu(BottleneckStages &s, const BottleneckKnobs &knobs) {
    const Axes &v = s.v;
    const int vec = knobs.lanes;
    const int rows = knobs.tile_rows;
    // The depthwise tile spans dw_rows rows (a multiple of the register tile's): its
    // k x k sums are chains of k * k FMAs, one per row, and they need as many rows as
    // an FMA's latency times its ports to overlap. With 2-row tiles the 2 chains waited
    // on each other's latency and the tile's row pointers spilled to the stack.
    // Profiled 2026-12-02, AVX2 EPYC: the depthwise loop, 34% of a 1x64x64x64 call at 2 rows, was 11% of 1x128x64x64 at 8.
    const int dw_rows = std::max(1, std::min(knobs.dw_rows, knobs.strip_rows) / rows) * rows;
    // Where H is a multiple of tall_rows (and two strips of them or more), the depthwise
    // tiles and the strips are tall_rows high: twice the chains of taps in flight, and a
    // strip stages tall_rows + k - 1 rows for tall_rows. Elsewhere the tiles' rows past
    // the plane's last row would be computed for nothing (1x64x56x56, 16-row tiles: 1.16x
    // slower), and a plane of fewer rows would be one strip, one task (1x128x16x16 on 2 threads: 2x).
    // Measured 2026-12-04, Intel Xeon VM, AVX-512, median of medians of 7 (5) interleaved rounds, ms, 8 rows -> 16: 1 thread 1x64x64x64 1.090 -> 1.063, 1x128x64x64 3.915 -> 3.860, 1x64x128x128 4.622 -> 4.473, 1x24x112x112 0.753 -> 0.714, 1x64x32x32 0.265 -> 0.258, 1x64x64x65 1.508 -> 1.444, (1x64x256x256 20.95 -> 20.70); 2 threads 1x64x64x64 0.557 -> 0.539, 8x64x32x32 1.122 -> 1.110, 1x64x256x256 10.36 -> 10.23.
    const int tall_rows = knobs.tall_dw_rows > 0 ? std::max(1, knobs.tall_dw_rows / rows) * rows : 0;
    const Expr tall =
        tall_rows > 0 ? s.width >= vec && s.height % tall_rows == 0 && s.height >= 2 * tall_rows : cast<bool>(false);
    // A sample alone still makes two tasks (for two cores) where its plane allows.
    const Expr strip_rows = clamp(s.height / 2, 1, knobs.strip_rows);
    // A wide strip holds whole depthwise tiles: a tile is bound to its full rows, so one
    // cut by a strip's end is computed whole in each strip it touches.
    // Measured 2026-12-02, AVX2 EPYC: at 1x128x8x8, 8-row tiles in two 4-row strips were 3.7x slower than one strip.
    auto wide_strip_rows_of = [&](int depthwise_rows) {
        return clamp(s.height / 2, std::min(depthwise_rows, knobs.strip_rows), knobs.strip_rows);
    };
    const Expr wide_strip_rows = wide_strip_rows_of(dw_rows);
    const Expr macs_per_pixel = s.channels * (s.kernel_size * s.kernel_size + 2 * s.hidden_channels);
    const Expr macs = cast<int64_t>(s.width * s.height * s.batch) * macs_per_pixel;
    const Expr serial = macs <= knobs.serial_macs;

    // The narrow widths, and the tile extents every stage is bound to: the select
    // folds to a constant in each specialization of the output.
    std::vector<NarrowTile> narrow_tiles;
    const int accumulators = rows * knobs.tile_channels;
    // Two pixel vectors (of two rows each); one alone where it is a whole 4 x 4 plane.
    // At least one channel: `prcm tune` found that a 1 x 1 tile split by 0 channels.
    // The one-vector tile takes kNarrowMaxChannels channels at most: each channel's 1x1
    // weights come through a row pointer of its own (the rows' stride is C or C*r, not a
    // constant), and with 16 of them in the 16 general registers LLVM reloaded 6 from the
    // stack in every iteration of the expand's and the project's loops (AVX-512, 4x4).
    // Measured 2026-12-06, Intel Xeon VM, AVX-512, median of 5 interleaved rounds, ms, 16 -> 8 channels: 1 thread 1x128x4x4 r = 2 0.0205 -> 0.0201, r = 4 0.0354 -> 0.0348, 1x256x4x4 0.0722 -> 0.0681, 1x24x4x4 0.0028 -> 0.0025; 2 threads 1x256x4x4 0.0583 -> 0.0534, 1x128x4x4 level (bimodal rounds); 1x64x4x4, 1x16x4x4, 16x64x4x4 and 1x64x32x4 level.
    constexpr int kNarrowMaxChannels = 8;
    // A batch of quarter-vector planes of 4 rows (4x4 on AVX-512) takes two samples a tile:
    // each weight broadcast feeds 2 FMAs, not 1, and the 1x1 weights (2 MiB at C = 256, r = 4)
    // stream through the core once per pair of samples, not per sample. Listed first: the
    // first tile that applies takes the plane, and its extents are the one-sample tile's.
    // Only in even batches of 4 or more: 3x64x4x4 (its last pair over the one before) ran
    // 0.0311 -> 0.0347 ms on 1 thread, and 2x64x4x4 r = 4 on 2 threads, one task where there had
    // been two, 0.0129 -> 0.0250. Not by the pool's threads: a pair's sums differ from one
    // sample's in their last bits, and the result must not depend on cpu_threads.
    // Measured 2026-12-06, Intel Xeon VM, AVX-512, median of 5 interleaved rounds, ms, 1 thread, r = 4: 16x256x4x4 2.330 -> 1.921, 16x64x4x4 0.1576 -> 0.1338, 16x16x4x4 0.0209 -> 0.0163; r = 2 16x256x4x4 1.134 -> 0.962 (3 rounds), 4x64x4x4 0.0255 -> 0.0218; 2 threads r = 4 16x256x4x4 1.233 -> 1.205, 16x16x4x4 0.0217 -> 0.0163 (3 rounds); 1x128x4x4 and 1x64x64x64 level.
    if (vec / 4 == 4) {
        NarrowTile pair{vec / 4, 4, std::min(accumulators, kNarrowMaxChannels)};
        pair.samples = 2;
        narrow_tiles.push_back(pair);
    }
    for (int w : narrow_plane_widths(vec)) {
        narrow_tiles.push_back(w == vec / 2 ? NarrowTile{w, 2 * 2, std::max(1, accumulators / 2)}
                                            : NarrowTile{w, 4, std::min(accumulators, kNarrowMaxChannels)});
    }
    // A plane of half-vector rows and 16 rows or more takes tiles of 8 rows (4 vectors by
    // a quarter of the channels): a weight broadcast feeds 4 FMAs, not 2, and a tile stages
    // 8 + k - 1 rows of the plane for 8, not 4 + k - 1 for 4. At 8x8 it was faster on one
    // thread but slower on two, whose one strip then splits channel tiles (twelfth session).
    // Measured 2026-12-04, Intel Xeon VM, AVX-512, median of medians of 5 interleaved rounds, ms: 1 thread 1x64x64x8 0.171 -> 0.163, 1x64x512x8 1.509 -> 1.411, 1x64x16x8 0.0407 -> 0.0387, 1x128x32x8 0.261 -> 0.256; 2 threads 1x64x64x8 0.084 -> 0.081, 1x64x16x8 0.0223 -> 0.0216; 8x8 and 4x4 level.
    constexpr int kTallNarrowHeight = 16;
    if (vec / 2 >= 2 && accumulators / 4 >= 4) {
        for (NarrowTile &t : narrow_tiles) {
            if (t.width == vec / 2) t.below_height = kTallNarrowHeight;
        }
        narrow_tiles.push_back(NarrowTile{vec / 2, 8, accumulators / 4, kTallNarrowHeight});
    }
    // A plane of rows one pixel short of half a vector (7 on AVX-512: a network's 7x7) takes
    // the half-vector narrow plane's tile, its rows padded with a zero column: 16-lane FMAs
    // with 14 lanes of pixels, where the half-vector tiles below ran 8-lane FMAs, half this
    // core's lanes a cycle. The output's lanes past the row are not stored.
    // Measured 2026-12-06, Intel Xeon VM, AVX-512, median of 5 interleaved rounds, ms, half-vector tiles -> these: 1 thread 1x64x7x7 0.0339 -> 0.0205, 1x160x7x7 0.1685 -> 0.0957, 16x64x7x7 0.534 -> 0.324; 2 threads 1x160x7x7 0.0902 -> 0.0531, 1x64x7x7 level.
    for (int w : padded_narrow_plane_widths(vec)) {
        narrow_tiles.push_back(NarrowTile{vec / 2, 2 * 2, std::max(1, accumulators / 2), 0, 0, w});
    }
    // A plane narrower than half a vector (and not a narrow plane's width, padded or not: 1-3,
    // 5 and 6 pixels on AVX-512) takes tiles half a vector wide, as the wide planes' otherwise:
    // a 6-pixel row fills 6 of 8 lanes, not 6 of 16 (7 did so until it took the 8x8 tiles). A core whose 512-bit FMA is two 256-bit ones (AMD
    // Zen 4) runs half-width FMAs at the same lanes a cycle, so the call takes about half the
    // time; where the 512-bit FMA is one unit (Intel), its lanes a cycle halve, which should
    // leave it level (not measured there).
    // Measured 2026-12-05, AMD EPYC VM, AVX-512, median of medians of 5 interleaved rounds, ms, 16-lane -> 8-lane tiles (with the 4-row tiles below): 1 thread 1x64x7x7 0.0585 -> 0.0348, 1x160x7x7 0.391 -> 0.165, 1x64x3x3 0.0621 -> 0.0222; 2 threads 1x64x7x7 0.0585 -> 0.0227, 1x160x7x7 0.390 -> 0.100 (docs/schedule-decisions.md, "Planes of 7x7 to 28x28").
    // AVX-512 only (16 lanes): on AVX2 a 4-lane FMA is half an FMA unit's lanes, and its
    // half-vector tiles for W % 8 in 1..4 were far slower (1x64x20x20 0.283 -> 8.05 ms).
    const bool half_vector_tiles = vec >= 16;
    Expr half_wide = cast<bool>(false);
    if (half_vector_tiles) {
        half_wide = s.width < vec / 2;
        for (int w : narrow_plane_widths(vec)) {
            if (w < vec / 2) half_wide = half_wide && s.width != w;
        }
        for (int w : padded_narrow_plane_widths(vec)) half_wide = half_wide && s.width != w;
    }
    // On two cores or more, and on planes of a register tile's rows or fewer, their depthwise
    // tiles are a register tile's rows: a sample of 5-8 rows then makes two strips, two tasks
    // (a 7x7 sample was one, on one core), and a 3x3 plane computes 4 rows, not 8. On one core
    // the 8-row tiles were faster at 7x7 (their 8 chains of taps).
    // Measured 2026-12-05, AMD EPYC VM, AVX-512, median of medians of 5 interleaved rounds, ms, 8-row -> 4-row tiles: 2 threads 1x64x7x7 0.0473 -> 0.0364, 1x160x7x7 0.191 -> 0.142; 1 thread 1x64x7x7 0.0472 -> 0.0527, 1x160x7x7 0.196 -> 0.223; 1x64x3x3 0.053 -> 0.022 (3 rounds).
    const Expr half_wide_split = half_wide && (s.cpu_threads >= 2 || s.height <= rows);
    const Expr half_wide_strip_rows = wide_strip_rows_of(rows);
    // Planes wider than a vector whose last vector would be half empty or more (W % vec in
    // 1..vec/2, not tall: 20, 24, 40, 56, 65 on AVX-512) take half-vector tiles too: a 56-pixel
    // row is 7 of them, not 4 vectors for 56 lanes of 64 (the last shifted inwards).
    // Measured 2026-12-05, AMD EPYC VM, AVX-512, median of medians of 5 (2 threads: 3) interleaved rounds, ms, 1 thread: 1x24x56x56 0.2681 -> 0.2607, 1x64x56x56 1.341 -> 1.251, 1x64x24x24 0.2843 -> 0.2268, 1x64x20x20 0.2900 -> 0.2370, 1x32x40x40 0.2333 -> 0.2138, 1x64x65x65 2.192 -> 2.124; 2 threads 1x64x56x56 0.763 -> 0.705, 1x64x24x24 0.190 -> 0.152, 1x24x56x56 0.156 -> 0.150.
    // Off by default (the knob half_tail_tiles): on the Intel Xeon VM, two 512-bit FMA units, they
    // ran 8-lane FMAs at half the core's lanes a cycle (docs/schedule-decisions.md, "Half-vector tiles on an Intel Xeon").
    // Measured 2026-12-06, Intel Xeon VM, AVX-512, 1 thread, median of 5 interleaved rounds, ms, with -> without them: 1x64x56x56 1.579 -> 1.011, 1x24x56x56 0.318 -> 0.211, 1x64x24x24 0.338 -> 0.223, 1x64x20x20 0.309 -> 0.269, 1x64x65x65 2.864 -> 1.766, 1x32x40x40 0.289 -> 0.280; 1x64x64x64 level.
    const bool half_tail_tiles = half_vector_tiles && knobs.half_tail_tiles != 0;
    const Expr half_tail =
        half_tail_tiles ? s.width > vec && s.width % vec != 0 && s.width % vec <= vec / 2 && !tall : cast<bool>(false);
    // A narrow plane's depthwise tile is its register tile.
    Expr tile_x = select(half_wide || half_tail, vec / 2, vec), tile_rows = rows,
         dw_tile_rows = select(half_wide_split, rows, select(tall, tall_rows, dw_rows)),
         tile_channels = knobs.tile_channels;
    Expr narrow = cast<bool>(false);
    // (No two tiles of the list apply to one plane but the pair of samples' and the 4x4 tile, whose
    // extents agree: the tall tile's rows are the others' below_height.)
    for (const NarrowTile &t : narrow_tiles) {
        const Expr applies = t.applies(s);
        tile_x = select(applies, t.width, tile_x);
        tile_rows = select(applies, t.rows, tile_rows);
        dw_tile_rows = select(applies, t.rows, dw_tile_rows);
        tile_channels = select(applies, t.channels, tile_channels);
        narrow = narrow || applies;
    }

    // The columns a strip's depthwise tiles span (the plane's, its last tile shifted
    // inwards below, or one whole tile on a narrower plane), their rows (whole tiles),
    // and the kernel's halo.
    const Expr tiles_width = max(s.width, tile_x);
    // A narrow plane's strips are whole tiles: a strip of fewer rows would compute a
    // tile for nothing.
    auto narrow_strip_rows = [&](const NarrowTile &t) { return round_up(strip_rows, t.rows); };
    Expr strip_tile_rows = select(half_wide_split, round_up(half_wide_strip_rows, rows),
                                  select(tall, tall_rows, round_up(wide_strip_rows, dw_rows)));
    for (const NarrowTile &t : narrow_tiles) {
        strip_tile_rows = select(t.applies(s), narrow_strip_rows(t), strip_tile_rows);
    }
    const Expr half = s.kernel_size / 2;

    auto one_strip = [&](const Expr &strip_height) { return s.batch == 1 && s.height <= strip_height; };
    // Splitting one strip's channel tiles across cores hands each core's hidden
    // activations to the other (the project reads them all), which costs what a line's
    // round trip between the cores costs: on the AMD EPYC VM, whose two vCPUs the host
    // puts 60-80 ns apart in some hours and 330-370 ns in others, 1x128x4x4 r = 4 so split
    // ran at 0.030 or 0.054-0.057 ms, one core 0.041. Above channel_split_macs (4 M by
    // default) it is split so; below, the project's sum in halves or the output (see there).
    // Measured 2026-12-04, Intel Xeon VM, 2 threads, median of medians (min) of 7 interleaved rounds, channels split -> one core: 1x128x4x4 r = 2 0.0263 (0.0193) -> 0.0197 (0.0193), r = 4 0.0399 (0.0317) -> 0.0345 (0.0340); 1x256x4x4 r = 2 (4.4 M multiply-adds) still split, level.
    const Expr channel_parallel = macs > cast<int64_t>(knobs.channel_split_macs);
    _halide_user_assert(s.cpu_threads.defined())
        << "the bottleneck's CPU schedule needs BottleneckStages::cpu_threads\n";
    const Expr two_cores = s.cpu_threads >= 2;
    // Above 2 M multiply-adds a one-strip sample's project is summed in two halves of the
    // hidden channels, one a core (see there); below, each core takes half the output.
    // The halves hand the depthwise output and one half's sums across (16 KiB at C = 128),
    // which in the hours when 2-thread calls ran slow on the AMD EPYC VM cost 10-17 us:
    // at 1x128x4x4 r = 2 (1.2 M) the halves ran 0.0174 ms or 0.0345, half the output
    // 0.0197 or 0.0224 (docs/schedule-decisions.md, "the project summed in two halves").
    constexpr int kHalvesMinMacs = 2 << 20;
    const Expr sum_in_halves = macs > kHalvesMinMacs && !channel_parallel && !serial;  // serial_macs is a knob

    Var core_half("core_half"), yo("yo"), yi("yi"), yb("yb"), ybi("ybi"), yt("yt"), yg("yg"), yr("yr"), xo("xo"),
        xi("xi"), co("co"), ci("ci"), strip("strip"), sample("sample"), sample_pair("sample_pair");
    // The loops that read a register tile back (the output's ci and yr here, the
    // hidden activations' below) are unrolled in every specialization. Halide gives
    // the expand's and the project's tiles (same type and size) one stack slot, and
    // LLVM keeps a slot in registers only if every access on every path is at a
    // constant index. With one loop of variable extent left (a GuardWithIf tail, a
    // narrow plane's hidden tile), every tile's bias went to the stack and its sums
    // back there before the output read them: 17% of the samples at 1x64x64x64 fell
    // on stack-addressed instructions, 11% after (most now the depthwise row pointers).
    // Measured 2026-12-03, AMD EPYC VM, AVX-512, 1 thread, best of 1 s, 3 interleaved rounds:
    // 1x64x64x64 2.04-2.24 -> 1.86-1.92 ms, 1x128x64x64 6.76-7.06 -> 6.14-6.62,
    // 1x64x256x256 33.9-36.5 -> 31.8-32.0; 4x4 to 32x32 level.
    // Strips of rows (the parallel tasks), depthwise tiles of depthwise_rows, register
    // tiles of register_rows by `width` pixels by `channels` output channels.
    // With `whole_tiles` the rows are cut into register tiles first and a strip is whole
    // tiles (strip_height rounded up): the tiles past the plane's last row are then not
    // computed at all. Cut from the strip down, the guard against the last row fell inside
    // the register tile, after its hidden activations and sums, and a 28-row plane's last
    // strip of 4 rows computed 8 (1x64x24x28 0.206 ms, 28x28 0.273, 32x28 0.286).
    // Measured 2026-12-06, Intel Xeon VM, AVX-512, median of 5 (2 threads: 3) interleaved rounds, ms: 1 thread 1x64x28x28 0.2719 -> 0.2449, 1x32x28x28 0.0914 -> 0.0827, 1x64x20x20 0.2240 -> 0.1976, 1x64x12x12 0.0850 -> 0.0725, 2x64x28x28 0.546 -> 0.488; 2 threads 1x64x28x28 0.168 -> 0.138, 1x64x12x12 0.063 -> 0.047; 64x64, 56x56, 14x14 (16 rows for 14 either way) and 8x8 level. Not the half-vector tiles: 1x64x6x6 0.0418 -> 0.0473 on 1 thread.
    auto output_loops = [&](Stage stage, const Expr &strip_height, int depthwise_rows, int register_rows, int width,
                            int channels, TailStrategy last_x_tile, bool whole_tiles, int samples = 1) {
        if (whole_tiles) {
            stage.split(v.y, yt, yr, register_rows, TailStrategy::GuardWithIf)
                .split(yt, yo, yi, (strip_height + register_rows - 1) / register_rows, TailStrategy::GuardWithIf)
                .split(yi, yb, yg, depthwise_rows / register_rows, TailStrategy::GuardWithIf);
        } else {
            stage.split(v.y, yo, yi, strip_height, TailStrategy::GuardWithIf)
                .split(yi, yb, ybi, depthwise_rows, TailStrategy::GuardWithIf)
                .split(ybi, yg, yr, register_rows, TailStrategy::GuardWithIf);
        }
        stage.split(v.x, xo, xi, width, last_x_tile).split(v.c, co, ci, channels, TailStrategy::GuardWithIf);
        if (samples > 1) {
            stage.split(v.n, sample_pair, sample, samples, TailStrategy::ShiftInwards)
                .reorder(xi, yr, ci, sample, co, yg, xo, yb, yo, sample_pair)
                .unroll(sample)
                .fuse(yo, sample_pair, strip);
        } else {
            stage.reorder(xi, yr, ci, co, yg, xo, yb, yo, v.n).fuse(yo, v.n, strip);
        }
        stage.vectorize(xi).unroll(ci).unroll(yr);
    };
    Func out = s.output;
    for (const NarrowTile &t : narrow_tiles) {
        Stage narrow_out = out.specialize(t.applies(s));
        // The wide plane's loops, with one register tile per depthwise tile (yg of extent 1).
        output_loops(narrow_out, narrow_strip_rows(t), t.rows, t.rows, t.width, t.channels, TailStrategy::GuardWithIf,
                     false, t.samples);
        // The staged plane's rows (the rows form, below) are zero outside the plane, a
        // BoundaryConditions `likely`: Halide would split the tile loops around them into
        // edge and interior tiles, and in edge tiles it leaves the channel tiles' loops
        // unsplit, every weight load guarded (1x64x8x8, all edge tiles: 2.1x slower).
        narrow_out.partition(yb, Partition::Never).partition(xo, Partition::Never);
        // One strip between kHalvesMinMacs and channel_split_macs: the output's loops stay
        // on one core, the project's halves (below) take the cores.
        narrow_out.specialize(serial || (one_strip(t.rows) && (sum_in_halves || (!channel_parallel && !two_cores))));
        // One strip on two cores or more, below kHalvesMinMacs: each core computes the
        // strip's depthwise output and hidden activations, all of them, and half the
        // output's channel tiles: 3/4 of one core's work each, nothing handed across, and
        // each core writes whole lines of the output (a split of a 4x4 sample's rows had
        // both cores write every line, slower than one core; docs/schedule-decisions.md,
        // "One strip on two cores").
        // Measured 2026-12-05, AMD EPYC VM, AVX-512, 2 threads, median of medians of 5 interleaved rounds, vCPUs 60-77 ns apart, one core -> split so: 1x128x4x4 r = 2 0.0234 -> 0.0197 ms, r = 4 0.0413 -> 0.0333.
        const Expr channel_tiles = (s.channels + t.channels - 1) / t.channels;
        narrow_out.specialize(one_strip(t.rows) && !channel_parallel)
            .split(co, core_half, co, (channel_tiles + 1) / 2, TailStrategy::GuardWithIf)
            .reorder(co, yg, xo, yb, core_half)
            .parallel(core_half);
        // One strip in all (a sample of one tile's rows, 4x4 on AVX-512): the cores take
        // the channel tiles instead, of the hidden activations and of the output.
        // Measured 2026-12-03, AVX-512 EPYC: 1x128x4x4 r = 4 on 2 threads 0.045 -> 0.035 ms.
        narrow_out.specialize(one_strip(t.rows)).parallel(co);
        narrow_out.parallel(strip);
    }
    // Where W is not a multiple of a vector, the last tile is shifted inwards over
    // pixels the tile before computed too: every lane a pixel of the plane, no column
    // read past the strip's halo, and as many tiles as when the last one's lanes ran
    // past the plane (they read columns never staged: see the strip's bounds below).
    // A plane narrower than a vector is one tile, its own branch, where Halide knows
    // the columns' loop runs once.
    // Measured 2026-12-04, Intel Xeon VM, AVX-512, 1 thread, min of 7-9 interleaved rounds, before -> after: 1x64x56x56 1.169 -> 1.048 ms, 1x32x28x28 0.117 -> 0.1045, 1x96x14x14 0.247 -> 0.182, 1x64x7x7 0.0599 -> 0.0559, 1x64x65x65 1.863 -> 1.759; the multiples of 16 level (1x64x64x64 1.054 -> 1.064, 1x24x112x112 0.728 -> 0.741).
    auto wide_loops = [&](Stage stage, TailStrategy last_x_tile, const Expr &strip_height, int depthwise_rows,
                          int width) {
        output_loops(stage, strip_height, depthwise_rows, rows, width, knobs.tile_channels, last_x_tile, width == vec);
        // (Not the half-vector tiles: in the serial branch LLVM kept pairs of their 8-lane
        // accumulators in the halves of 512-bit registers, an extract and an insert around
        // every FMA: 1x64x7x7 0.0337 ms in the parallel loop's function, 0.0664 there.)
        if (width == vec) stage.specialize(serial);
        // A sample of one strip (a plane of 8 rows or fewer, wider than a tile) made one
        // task: the cores take its columns of tiles instead (the strip staged first).
        // Measured 2026-12-04, Intel Xeon VM, AVX-512, median of medians of 3 interleaved rounds, ms, 2 threads: 1x64x8x512 1.270 -> 0.837, 1x64x4x128 0.401 -> 0.252, 1x128x8x32 0.308 -> 0.210, 1x64x8x64 0.133 -> 0.110; 1 thread level (1x64x8x512 1.293 -> 1.243, 1x64x8x64 0.133 -> 0.137).
        stage.specialize(one_strip(wide_strip_rows) && s.width > vec).parallel(xo);
        stage.parallel(strip);
    };
    if (half_vector_tiles) {
        wide_loops(out.specialize(half_wide_split), TailStrategy::GuardWithIf, half_wide_strip_rows, rows, vec / 2);
        wide_loops(out.specialize(half_wide), TailStrategy::GuardWithIf, wide_strip_rows, dw_rows, vec / 2);
    }
    wide_loops(out.specialize(s.width < vec), TailStrategy::GuardWithIf, wide_strip_rows, dw_rows, vec);
    if (tall_rows > 0) {
        wide_loops(out.specialize(s.width % vec == 0 && tall), TailStrategy::GuardWithIf, tall_rows, tall_rows, vec);
    }
    // (!tall spelled out: Halide does not infer it from the branch before, and the tile's
    // extents, selects on tall, were unknown in this one: 1x64x24x64 0.409 -> 0.396 ms,
    // 1x64x40x32 0.341 -> 0.330 with it, as before the 16-row tiles, 0.397 and 0.330.)
    wide_loops(out.specialize(s.width % vec == 0 && !tall), TailStrategy::GuardWithIf, wide_strip_rows, dw_rows, vec);
    if (tall_rows > 0) wide_loops(out.specialize(tall), TailStrategy::ShiftInwards, tall_rows, tall_rows, vec);
    if (half_tail_tiles)
        wide_loops(out.specialize(half_tail), TailStrategy::ShiftInwards, wide_strip_rows, dw_rows, vec / 2);
    wide_loops(out, TailStrategy::ShiftInwards, wide_strip_rows, dw_rows, vec);

    // A register tile: rounding it up is safe, the weights and biases read past the last
    // channel (see BottleneckStages) and the staged input is zero beyond the plane. On a
    // narrow plane a tile's rows are one dense vector.
    auto register_tile = [&](Func sum, const LoopLevel &at, const RVar &over) {
        sum.compute_at(at).bound_extent(v.x, tile_x).bound_extent(v.y, tile_rows).bound_extent(v.c, tile_channels);
        sum.specialize(narrow).vectorize(v.x).vectorize(v.y).unroll(v.c).unroll(v.n);
        sum.vectorize(v.x).unroll(v.y).unroll(v.c);
        sum.update().reorder(v.x, v.y, v.c, v.n, over);
        sum.update().specialize(narrow).vectorize(v.x).vectorize(v.y).unroll(v.c).unroll(v.n);
        sum.update().vectorize(v.x).unroll(v.y).unroll(v.c);
    };

    // A tile's hidden activations (all C*r channels, or a half's), a channel tile at a time.
    // Per channel a tile is contiguous floats, so the sums stream through lines. Split per
    // plane width, so that each branch's channel tile is a constant it can unroll; with
    // `split_channels`, a sample of one strip past channel_split_macs splits them across cores.
    auto hidden_tiles = [&](Func hidden, const LoopLevel &at, const Var &outer, const Var &inner, bool split_channels) {
        hidden.compute_at(at).bound_extent(v.x, tile_x).bound_extent(v.y, tile_rows);
        for (const NarrowTile &t : narrow_tiles) {
            Stage narrow_hidden = hidden.specialize(t.applies(s));
            narrow_hidden.split(v.c, outer, inner, t.channels, TailStrategy::RoundUp)
                .reorder(v.x, v.y, inner, v.n, outer)
                .vectorize(v.x)
                .vectorize(v.y)
                .unroll(inner)
                .unroll(v.n);
            if (split_channels) narrow_hidden.specialize(channel_parallel && one_strip(t.rows)).parallel(outer);
        }
        hidden.split(v.c, outer, inner, knobs.tile_channels, TailStrategy::RoundUp)
            .reorder(v.x, v.y, inner, outer)
            .vectorize(v.x)
            .unroll(v.y)
            .unroll(inner);
    };

    // A narrow plane of one strip (a 4x4 sample on AVX-512) is one register tile of pixels,
    // too few to split across cores by rows or by pixels. Between kHalvesMinMacs and
    // channel_split_macs its project's sum over C*r is split in two halves of the hidden
    // channels (rfactor): each half computes its hidden activations and a partial project
    // of every output channel, and the output adds the two partial sums to the bias. About
    // half of one core's work a core, where half the output a core (below 2 M) is 3/4. The
    // halves are a parallel loop at any thread count, so neither the sum's order nor the
    // result depends on it; on one thread they run in turn. Their stages are clones of the
    // hidden activations and the expand, computed inside a half: with the halves' loop
    // serial on one thread, their register tiles fell in the function that computes the
    // depthwise output, whose sums then went to the stack (1x128x4x8 r = 4, 1 thread:
    // 0.0800 -> 0.0853 ms).
    // Measured 2026-12-05, AMD EPYC VM, AVX-512, median of medians of 5 interleaved rounds, vCPUs 60-80 ns apart, each core half the output (the split below 2 M) -> halves of the hidden channels: 2 threads 1x128x4x4 r = 4 0.0332 -> 0.0263 ms, 1x128x4x8 r = 2 0.0361 -> 0.0283 (in a slow hour 0.0385 -> 0.047); 1 thread 1x128x4x4 r = 4 level (0.0412 -> 0.0413), 1x128x4x8 r = 2 0.0437 -> 0.0449; above channel_split_macs, with the knob raised, 1x256x4x4 r = 4 0.1438 -> 0.1266 and r = 2 0.0547 -> 0.0521 (docs/schedule-decisions.md).
    {
        Expr one_narrow_strip = cast<bool>(false);
        for (const NarrowTile &t : narrow_tiles) {
            one_narrow_strip = one_narrow_strip || (t.applies(s) && one_strip(t.rows));
        }
        RVar halves("halves"), in_half("in_half");
        Var hidden_half("hidden_half"), hco("hco"), hci("hci");
        const Expr half_channels = round_up((s.hidden_channels + 1) / 2, tile_channels);
        Stage add_halves = s.project_sum.update().specialize(one_narrow_strip && sum_in_halves);
        Func partial = add_halves.split(s.over_hidden.x, halves, in_half, half_channels, TailStrategy::GuardWithIf)
                           .rfactor(halves, hidden_half);
        add_halves.reorder(v.x, v.y, v.c, halves).vectorize(v.x).vectorize(v.y).unroll(v.c);
        // (Cloned before the wrapper below: Halide 21 clones a Func with wrappers no more.)
        Func half_hidden = s.hidden.clone_in(partial);
        Func half_expand = s.expand_sum.clone_in(half_hidden);
        Func partial_sums = partial.in(s.project_sum);
        partial_sums.compute_at(out, yg).bound_extent(v.x, tile_x).bound_extent(v.y, tile_rows);
        for (const NarrowTile &t : narrow_tiles) {
            const Expr applies = t.applies(s);
            partial_sums.specialize(applies)
                .split(v.c, hco, hci, t.channels, TailStrategy::RoundUp)
                .reorder(v.x, v.y, hci, hco, hidden_half)
                .vectorize(v.x)
                .vectorize(v.y)
                .unroll(hci)
                .parallel(hidden_half);
        }
        // Never run, but compiled into every branch of the output, the wide planes' among
        // them: read at variable indices there (as hidden_tiles' default did too), the halves' tiles kept the expand's and the
        // project's, which share their stack slot, out of registers (see the output's
        // loops): 1x64x256x256 on one thread 25.47 -> 26.31 ms.
        partial_sums.split(v.c, hco, hci, knobs.tile_channels, TailStrategy::RoundUp)
            .reorder(v.x, v.y, hci, hco, hidden_half)
            .vectorize(v.x)
            .unroll(v.y)
            .unroll(hci);
        hidden_tiles(half_hidden, LoopLevel(partial_sums, hidden_half), hco, hci, false);
        register_tile(partial, LoopLevel(partial_sums, hco), in_half);
        register_tile(half_expand, LoopLevel(half_hidden, hco), s.over_channels.x);
    }

    // The project: the tile's output channels a tile at a time, summed over C*r.
    register_tile(s.project_sum, LoopLevel(out, co), s.over_hidden.x);

    // The tile's hidden activations, all C*r channels.
    hidden_tiles(s.hidden, LoopLevel(out, yg), co, ci, true);
    register_tile(s.expand_sum, LoopLevel(s.hidden, co), s.over_channels.x);

    // The tile's depthwise output, all C channels, one channel at a time.
    s.dw.compute_at(out, xo)
        .bound_extent(v.x, tile_x)
        .bound_extent(v.y, dw_tile_rows)
        .reorder(v.x, v.y, v.c)
        .vectorize(v.x);
    s.dw_sum.compute_at(s.dw, v.c).vectorize(v.x).unroll(v.y);
    // At the notebooks' k = 7 a column of k taps is unrolled: a tile's rows share
    // each input row they read (rows + k - 1 loads per column, not rows * k).
    s.dw_sum.update().reorder(v.x, v.y, s.kernel.y, s.kernel.x);
    if (knobs.unrolled_kernel_size > 0) {
        s.dw_sum.update()
            .specialize(s.kernel_size == knobs.unrolled_kernel_size)
            .vectorize(v.x)
            .unroll(v.y)
            .unroll(s.kernel.y);
    }
    s.dw_sum.update().vectorize(v.x).unroll(v.y);

    // A narrow plane's depthwise tile in whole rows (the algorithm's rows form, at the
    // widths of s.row_widths): one vector spans the tile's rows, so each tap is one
    // dense load of the staged plane and one full-width FMA, where a row of 4 took a
    // 128-bit FMA per row; the k columns of taps are k independent sums, masked where
    // they run off the row. Its staging is the plane between zeros: 3 vectors a
    // channel at 4x4 on AVX-512, where the padded plane was 10 rows of 3.
    // Measured 2026-12-03, AMD EPYC VM: 1x128x4x4 r = 2 0.0288 -> 0.0259 ms, 1x64x4x4 0.0099 -> 0.0084.
    if (s.rows_form.defined()) {
        s.dw.specialize(s.rows_form).vectorize(v.y);
        const Var i = s.flat_plane.args()[0];
        // A depthwise tile's rows of the plane and their halo, copied with the tile: it
        // spans the tile's rows, not only the output's (a tile past the plane's last row
        // reads zeros, not memory the call never wrote). Each strip copied the whole
        // plane before, quadratic in H. A row at a time, with W a constant and the
        // region aligned to it, i % W and i / W fold away (as one vector over i the
        // lanes were loaded one by one: 34% of the call); the channels inside the rows,
        // so that a row's test against the plane's edges is made once for all of them.
        // Measured 2026-12-04, Intel Xeon VM, AVX-512, 1 thread, median of medians of 5 interleaved rounds, ms: 1x64x512x8 5.99 -> 1.36, 1x64x64x8 0.205 -> 0.162 (2 threads 0.106 -> 0.085); 1x64x1024x4 (a Python loop of the kernel) 10.1 -> 1.78; 4x4 and 8x8 level (1x128x4x4 0.0201 -> 0.0200, 1x128x8x8 0.0656 -> 0.0656); with the channels outside the rows 1x128x4x4 was 0.0209.
        s.flat_plane.compute_at(out, xo).align_bounds(i, vec);
        for (const RowsFormWidth &r : s.row_widths) {
            Var row("row"), pixel("pixel");
            s.flat_plane.specialize(s.width == r.width)
                .split(i, row, pixel, r.pitch)
                .reorder(pixel, v.c, row)
                .vectorize(pixel);
        }
        s.flat_plane.vectorize(i, vec);
        // Each stage a vector over the tile's rows; at the unrolled k its sums unrolled.
        auto whole_rows = [&](Stage stage, const std::vector<VarOrRVar> &unrolled) {
            if (knobs.unrolled_kernel_size > 0 && !unrolled.empty()) {
                Stage at_k = stage.specialize(s.rows_form && s.kernel_size == knobs.unrolled_kernel_size);
                at_k.vectorize(v.x).vectorize(v.y);
                for (const VarOrRVar &u : unrolled) at_k.unroll(u);
            }
            stage.specialize(s.rows_form).vectorize(v.x).vectorize(v.y);
        };
        // A column of taps is summed where the depthwise sum adds it, one column at a time:
        // its vectors alone are live, where all k columns' were (at k = 7, 28 of the 32
        // registers in a tall narrow plane's tile of 4 vectors, whose loop then spilled).
        // Measured 2026-12-06, Intel Xeon VM, AVX-512, median of 5 (9) interleaved rounds, ms: 1 thread r = 2 1x64x64x8 0.1508 -> 0.1437, 1x64x16x8 0.0386 -> 0.0367, r = 4 1x64x64x8 0.254 -> 0.247, 1x128x32x8 0.450 -> 0.445; 2 threads 1x64x64x8 0.0783 -> 0.0751, 1x128x8x8 0.0363 -> 0.0348; 1x128x8x8, 16x64x8x8 and 4x4 level on 1 thread (1x128x4x4 r = 2 0.0202 -> 0.0203, 1x256x4x4 0.0683 -> 0.0678).
        s.tap_columns.compute_at(s.dw_sum_rows, s.kernel_columns.x).store_in(MemoryType::Stack);
        whole_rows(s.tap_columns, {});
        whole_rows(s.tap_columns.update(), {s.kernel_rows.x});
        s.dw_sum_rows.compute_at(s.dw, v.c).store_in(MemoryType::Stack);
        whole_rows(s.dw_sum_rows, {});
        whole_rows(s.dw_sum_rows.update(), {s.kernel_columns.x});
    }
    // The depthwise sum read back row by row at constant indices, so that it stays in
    // registers (see the output's loops); after the rows form, which vectorizes the rows.
    // With the dense depthwise weights (the generator's tie_weights), the loop reloads
    // 10 row pointers per column of taps from the stack instead of 17.
    // Measured 2026-12-03, AMD EPYC VM, AVX-512, 1 thread, medians of 4 interleaved rounds:
    // 1x128x64x64 6.70 -> 6.09 ms, 1x64x64x64 1.85 -> 1.80, 1x128x16x16 0.369 -> 0.355; 4x4 and 8x8 level.
    s.dw.unroll(v.y);

    // Staging the padded strip keeps the boundary select out of the depthwise loop;
    // the copy's own select is partitioned away in the interior. A vector that
    // straddles the border loads its lanes one by one (clamped indices), so the
    // copy runs in short vectors aligned to the border: two of 4 lanes per row
    // (narrow planes and the unrolled widths; wider ones below).
    const Var padded_x = s.padded.args()[0], padded_y = s.padded.args()[1], padded_c = s.padded.args()[2];
    s.padded.compute_at(out, strip);
    // Software prefetch of the next channel's rows as the copy runs (a strip's channels
    // lie a plane apart), on planes of prefetch_min_width and wider; off by default.
    // Halide's prefetch is `prefetchnta`: on Intel a line fetched a channel (up to
    // 14 KiB) ahead lands in L1 only and is evicted before the copy reads it, and its
    // box arithmetic costs about 50 instructions a line. (Halide steps a prefetched box
    // by 64 elements, not 64 bytes: a box of one row would fetch one line in four, so
    // each prefetch's box is one line or less.)
    // Measured 2026-12-03, Intel Xeon VM (model 207), AVX-512, 1 thread, min of 7 interleaved rounds, with -> without: 1x64x256x256 26.6 -> 21.7 ms, 1x64x128x128 4.87 -> 4.50, 1x48x96x96 1.75 -> 1.62, 1x128x64x64 4.21 -> 4.00; AVX2 1x64x256x256 43.0 -> 38.3.
    // Profiled 2026-12-03, AMD EPYC VM (Zen 4), AVX-512: it helped there, the copy's share 8% -> 5.4% at 1x128x64x64, 9% -> 6-7% at 1x64x256x256 (`prcm tune` may turn it on).
    const bool prefetching = knobs.prefetch_min_width > 0;
    auto prefetch_next_channel = [&](Stage stage) {
        stage.prefetch(s.input, padded_x, padded_c, 1, PrefetchBoundStrategy::NonFaulting);
    };
    // At k = 7 and the notebooks' widths the padded width is a constant (W + 6, aligned):
    // its vectors unrolled, each one's select folds to all-zero or all-plane, and no
    // lane is gathered. The gain shrinks with W, as the border's share of a row does.
    // Measured 2026-11-22, AVX-512 Xeon: it saved 24% of the call at 4x4, down to 1-2% at 64x64.
    std::vector<int> unrolled_widths{vec};
    unrolled_widths.insert(unrolled_widths.end(), knobs.unrolled_widths.begin(), knobs.unrolled_widths.end());
    for (int width : narrow_plane_widths(vec)) unrolled_widths.push_back(width);
    Expr unrolled_copy = cast<bool>(false);
    for (int width : knobs.unrolled_kernel_size > 0 ? unrolled_widths : std::vector<int>{}) {
        Expr at_width = s.width == width && s.kernel_size == knobs.unrolled_kernel_size;
        // Each width is a branch of the copy in every branch of the output that cannot
        // prove it false: the notebooks' 32 and 64 stay in all that may take them; a width
        // past a vector and not a multiple of one (a network's 28 and 56) is tied to the one
        // branch that takes it (its half-vector tiles, or the last branch), not tall, and a
        // wider multiple (112) to the tall planes' branch, so the others drop it. With 28,
        // 56 and 112 in every branch the AVX-512 generator ran 25 minutes, not 5.
        // Measured 2026-12-06, Intel Xeon VM, AVX-512, 1 thread, median of 5 interleaved rounds, ms, 6506740 -> 28, 56, 112 unrolled so: 1x32x28x28 0.1071 -> 0.0912, 1x64x28x28 0.3031 -> 0.2722, 1x24x56x56 0.3551 -> 0.3140, 1x64x56x56 1.668 -> 1.552, 1x16x112x112 0.4414 -> 0.3853, 1x32x112x112 1.119 -> 1.085; 1x64x64x64 and 1x128x8x8 level. The AVX-512 generator alone 294 -> 169 s.
        if (width > vec && width % vec != 0) {
            at_width =
                at_width &&
                (half_tail_tiles && width % vec <= vec / 2 ? half_tail : !tall && !half_tail && s.width % vec != 0);
        } else if (width > std::max(vec, 64)) {
            at_width = at_width && s.width % vec == 0 && tall;
        }
        unrolled_copy = unrolled_copy || at_width;
        Stage unrolled = s.padded.specialize(at_width).vectorize(padded_x, knobs.border_lanes).unroll(padded_x);
        if (prefetching && width >= knobs.prefetch_min_width) prefetch_next_channel(unrolled);
    }
    // The other planes of line_copy_min_width and wider copy a 64-byte line as one
    // vector: one load and one store, where 4-lane vectors took 8 instructions, and with
    // fewer instructions a line the core keeps more lines' loads in flight. The two
    // vectors of a row that straddle the border gather their lanes; at W = 40 already a
    // row's interior outweighs them.
    // Measured 2026-12-03, AMD EPYC VM, AVX-512, 1 thread, medians of 7-9: 1x64x48x48 3.3% faster, 1x32x40x40 2%, 1x48x96x96 2.6-5%, 128x128 and 256x256 0-4% (noise); the copy's share of `perf` samples 12.0 -> 10.4% at 1x64x256x256.
    constexpr int kCacheLineFloats = 64 / sizeof(float);
    const int line_floats = std::max(kCacheLineFloats, knobs.border_lanes);
    const Expr line_copy = knobs.line_copy_min_width > 0 && s.width >= knobs.line_copy_min_width && !unrolled_copy;

    // The strip holds every pixel its depthwise tiles read, their halo included, in
    // whole copy vectors; beyond the plane, zeros. Halide bounds a Func computed at the
    // strip by the output's pixels, not by the tiles between them: on a plane narrower
    // than a tile (W = 7), or whose last strip ends inside a tile (H = 12), the tiles'
    // last lanes read past what was staged, memory the call never wrote (past the
    // buffer's end at the last channel), where a denormal costs an assist on every
    // operation of the lanes it reaches (tests/scratch_poison_test.cpp).
    const Expr copy_lanes = select(line_copy, line_floats, knobs.border_lanes);
    const Expr staged_x_min = aligned_below(half, knobs.border_lanes);
    const Expr staged_width = round_up(tiles_width + half - staged_x_min, copy_lanes);
    s.padded.bound(padded_x, staged_x_min, staged_width).bound_extent(padded_y, strip_tile_rows + 2 * half);

    if (knobs.line_copy_min_width > 0) {
        Var line_x("line_x");
        Stage wide = s.padded.specialize(line_copy)
                         .split(padded_x, padded_x, line_x, line_floats, TailStrategy::RoundUp)
                         .vectorize(line_x);
        if (prefetching) prefetch_next_channel(wide.specialize(s.width >= knobs.prefetch_min_width));
    }
    s.padded.vectorize(padded_x, knobs.border_lanes);

    // The 1x1 weights are read in place: staging them costs more than the tiles on a
    // small plane, and the boundary's clamp and select fall out of whole tiles.
    // The biases are staged over whole channel tiles of every kind: the tiles past the
    // last channel (RoundUp) start from them, and Halide bounded them by the channels
    // alone, so those accumulators began from unwritten heap memory (a denormal there
    // costs an assist per FMA; tests/scratch_poison_test.cpp).
    int whole_tiles = std::lcm(vec, knobs.tile_channels);
    for (const NarrowTile &t : narrow_tiles) whole_tiles = std::lcm(whole_tiles, t.channels);
    for (Func b : {s.expand_bias, s.project_bias}) {
        b.compute_root().align_bounds(b.args()[0], whole_tiles).vectorize(b.args()[0], vec);
    }
}

}  // namespace prcm
