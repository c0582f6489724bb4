// PRCM_AdaptivePool (notebook 000 §3). Not a modulator: its output is the transform itself,
//   interpolate(conv2(relu(conv1(adaptive_avg_pool2d(x, ps)))), (H, W), bilinear, align_corners=True),
// with the pooling skipped (x transformed as it is) when H or W is below ps.
#include "generators/prcm_adaptive_pool.h"
#include "Halide.h"
#include "generators/prcm_generator.h"
#include "schedules/prcm_adaptive_pool.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace prcm {

using namespace Halide;

namespace {

// adaptive_avg_pool2d's bin i of `bins` over an axis of `size`:
// [floor(i * size / bins), ceil((i + 1) * size / bins)), so neighbours overlap
// when `bins` does not divide `size`. In 64 bits, as PyTorch: skipping the pool,
// bins == size and i * size passes 2^31 from sizes of 46341.
Expr bin_start(const Expr &i, const Expr &size, const Expr &bins) { return cast<int>(cast<int64_t>(i) * size / bins); }
Expr bin_end(const Expr &i, const Expr &size, const Expr &bins) {
    return cast<int>(((cast<int64_t>(i) + 1) * size + bins - 1) / bins);
}
// No bin is longer than ceil(size / bins), plus one where the bins overlap.
Expr longest_bin(const Expr &size, const Expr &bins) {
    return (size + bins - 1) / bins + select(size % bins == 0, 0, 1);
}

// F.interpolate(mode='bilinear', align_corners=True) along one axis: output
// index d of `out` reads the source at d * (in - 1) / (out - 1), at 0 when out == 1.
struct Taps {
    Expr lower, upper, weight;  // the two source indices and the upper one's weight
};
Taps align_corners_taps(const Expr &d, const Expr &in, const Expr &out) {
    const Expr scale = select(out > 1, cast<float>(in - 1) / cast<float>(max(out - 1, 1)), 0.0f);
    const Expr source = cast<float>(d) * scale;
    const Expr lower = clamp(cast<int>(source), 0, in - 1);  // source >= 0: the cast floors
    // An axis whose size does not change takes both taps from the same pixel, as torch's
    // upsample_bilinear2d does: 1 * a + 0 * a, so an infinity turns into NaN at its own
    // pixel and nowhere else (with the next pixel as upper tap, 0 * inf reached its neighbours).
    const Expr upper = select(in == out, lower, min(lower + 1, in - 1));
    return {lower, upper, source - cast<float>(lower)};
}

// align_corners_taps of output index d along an axis of `in` -> `out`, both constants, in
// the float arithmetic the generated code does: the same taps and weights bit for bit.
struct ConstantTap {
    int lower, upper;
    float weight;
};
ConstantTap constant_taps(int d, int in, int out) {
    const float scale = out > 1 ? static_cast<float>(in - 1) / static_cast<float>(std::max(out - 1, 1)) : 0.0f;
    const float source = static_cast<float>(d) * scale;
    const int lower = std::clamp(static_cast<int>(source), 0, in - 1);
    return {lower, in == out ? lower : std::min(lower + 1, in - 1), source - static_cast<float>(lower)};
}

// The taps of every index of an axis of a fixed shape (FixedPool), and a table of values
// of them: a chain of selects on d % side, which the branch has equal to d (d < side).
// Vectorized along d, or unrolled, each lane's or copy's entry is a constant.
struct FixedAxis {
    std::vector<ConstantTap> taps;
    Expr index;

    FixedAxis(const Expr &d, int side, int pooled_side) : index(d % side) {
        for (int i = 0; i < side; i++) taps.push_back(constant_taps(i, pooled_side, side));
    }
    template <typename Value>
    Expr table(Value value) const {  // value(tap) at every index
        Expr e = value(taps.back());
        for (size_t i = taps.size() - 1; i-- > 0;) e = select(index == static_cast<int>(i), value(taps[i]), e);
        return e;
    }
};

// A fixed shape's pooled pixel p, as binned over pooled: its bin's columns of `rows` (x,
// pooled row, c, n) summed, over the bin's area. A vector of the pooled map holds whole
// pooled rows, so p % pooled and p / pooled fold per lane (the schedule keeps p below
// pooled^2).
Expr fixed_pooled(const Func &rows, const Expr &p, const Expr &c, const Expr &n, const FixedPool &f) {
    const int bin = f.side / f.pooled;
    Expr bin_sum = 0.0f;
    for (int dx = 0; dx < bin; dx++) bin_sum += rows((p % f.pooled) * bin + dx, p / f.pooled, c, n);
    return bin_sum / static_cast<float>(bin * bin);
}

// A fixed shape's pooled row `row` interpolated along W, as upsampled_columns: the same
// blend of the same taps. A tap's pixel is picked among the row's few pixels (each one
// load for a whole vector) by selects on the tap, whose masks are constants: a vector of
// W gathering its lanes' pixels one by one cost a load a lane.
Expr fixed_columns(const Func &projected, const Expr &x, const Expr &row, const Expr &c, const Expr &n, int side,
                   int pooled_side) {
    const FixedAxis across(x, side, pooled_side);
    auto tap_pixel = [&](auto which) {
        const Expr column = across.table([&](const ConstantTap &t) { return Expr(which(t)); });
        Expr pixel = projected(row * pooled_side + pooled_side - 1, c, n);
        for (int k = pooled_side - 1; k-- > 0;)
            pixel = select(column == k, projected(row * pooled_side + k, c, n), pixel);
        return pixel;
    };
    const Expr weight = across.table([](const ConstantTap &t) { return Expr(t.weight); });
    return strict_float((1.0f - weight) * tap_pixel([](const ConstantTap &t) { return t.lower; }) +
                        weight * tap_pixel([](const ConstantTap &t) { return t.upper; }));
}

// Then along H, as the output: rows of `columns` (x, pooled row, c, n) blended.
Expr fixed_rows_blend(const Func &columns, const Expr &x, const Expr &y, const Expr &c, const Expr &n, int side,
                      int pooled_side) {
    const FixedAxis down(y, side, pooled_side);
    const Expr weight = down.table([](const ConstantTap &t) { return Expr(t.weight); });
    return strict_float((1.0f - weight) *
                            columns(x, down.table([](const ConstantTap &t) { return Expr(t.lower); }), c, n) +
                        weight * columns(x, down.table([](const ConstantTap &t) { return Expr(t.upper); }), c, n));
}

}  // namespace

class PrcmAdaptivePool : public PrcmGenerator<PrcmAdaptivePool> {
public:
    Input<Buffer<float, 4>> input{"input"};                // (w, h, c, n)  ==  torch x [N, C, H, W]
    Input<Buffer<float, 4>> conv1_weight{"conv1_weight"};  // (1, 1, c, k)  ==  torch conv1.weight [C*r, C, 1, 1]
    Input<Buffer<float, 4>> conv2_weight{"conv2_weight"};  // (1, 1, k, c)  ==  torch conv2.weight [C, C*r, 1, 1]
    Input<int> pool_size{"pool_size", 2, 1, std::numeric_limits<int>::max()};  // ps, no weight implies it
    Output<Buffer<float, 4>> output{"output"};                                 // (w, h, c, n)  ==  torch [N, C, H, W]

    void generate() {
        AdaptivePoolStages s;
        const Axes &v = s.v;
        const Var &p = s.p, &i = s.i, &j = s.j, &k = s.k;
        s.width = input.dim(0).extent();
        s.height = input.dim(1).extent();
        s.channels = input.dim(2).extent();
        s.batch = input.dim(3).extent();
        s.hidden_channels = conv1_weight.dim(3).extent();
        require_dense_from_zero(input);
        require_dense_from_zero(conv1_weight);
        require_dense_from_zero(conv2_weight);
        conv1_weight.dim(0).set_extent(1);
        conv1_weight.dim(1).set_extent(1);
        conv1_weight.dim(2).set_extent(s.channels);
        conv2_weight.dim(0).set_extent(1);
        conv2_weight.dim(1).set_extent(1);
        conv2_weight.dim(2).set_extent(s.hidden_channels);
        conv2_weight.dim(3).set_extent(s.channels);

        // Skipping the pooling is pooling to the input's own size: every bin one element.
        const Expr skip = s.height < pool_size || s.width < pool_size;
        s.pooled_width = select(skip, s.width, pool_size);
        s.pooled_height = select(skip, s.height, pool_size);
        const Expr &W = s.width, &H = s.height, &PW = s.pooled_width, &PH = s.pooled_height;
        // Pooled to its own size (the pooling skipped, or ps == H == W), the pool and the
        // interpolation read one pixel each: below, each has a branch for it that a
        // schedule's specialization on same_size keeps alone.
        s.same_size = PW == W && PH == H;

        // The bins of each axis.
        s.row_start(j) = bin_start(j, H, PH);
        s.row_count(j) = bin_end(j, H, PH) - bin_start(j, H, PH);
        s.column_start(i) = bin_start(i, W, PW);
        s.column_count(i) = bin_end(i, W, PW) - bin_start(i, W, PW);

        // The pool, separably: rows over each bin of H, then columns over each bin of W.
        s.bin_rows = RDom(0, longest_bin(H, PH), "bin_row");
        s.bin_rows.where(s.bin_rows < s.row_count(j));
        s.pooled_rows(v.x, j, v.c, v.n) = 0.0f;
        // The input repeats its edges: Halide's bounds of the windows below may pass the
        // last column by one (it cannot correlate the two uses of the longest bin).
        Func edged = BoundaryConditions::repeat_edge(input, {{0, W}, {0, H}});
        s.pooled_rows(v.x, j, v.c, v.n) += edged(v.x, s.row_start(j) + s.bin_rows, v.c, v.n);

        // Pixel p = i + j * PW (pixels past the map lie in its last row): its row, a
        // window of the longest bin's columns (longest <= W) inside the row holding
        // its bin, the bin's first column in the window, its columns and its area.
        const Expr longest = longest_bin(W, PW);
        const Expr row = min(p / PW, PH - 1), first = s.column_start(p % PW), count = s.column_count(p % PW);
        s.pixel_bins(p) = {row, clamp(first, 0, W - longest), max(first - (W - longest), 0), count,
                           count * s.row_count(row)};
        // Table values are clamped where they index: Halide cannot bound them.
        const FuncRef bins = s.pixel_bins(p);
        const Expr window = clamp(bins[1], 0, W - longest), lead = bins[2], columns = bins[3];
        s.bin_columns = RDom(0, longest, "bin_column");
        s.binned(p, v.c, v.n) = 0.0f;
        s.binned(p, v.c, v.n) +=
            select(s.bin_columns >= lead && s.bin_columns < lead + columns,
                   s.pooled_rows(window + s.bin_columns, clamp(bins[0], 0, PH - 1), v.c, v.n), 0.0f);
        // Defined past the map too, repeating its last pixel: a schedule may compute
        // whole vectors of pixels.
        // Pooled to its own size, the schedule leaves `binned` unwritten: the select picks
        // before anything is computed, so no arithmetic sees its garbage (x / 1 is x).
        const Expr last = min(likely(p), PW * PH - 1);
        Expr pooled = select(s.same_size, input(last % PW, last / PW, v.c, v.n), s.binned(last, v.c, v.n)) /
                      select(s.same_size, 1.0f, cast<float>(s.pixel_bins(last)[4]));
        // The fixed shapes (FixedPool): the same sums in the same order, rows of a bin
        // then its columns, over bins and pixels whose places are constants. A branch of
        // the schedule takes each, and the others sit in branches that know it false,
        // where Halide folds its select away.
        if (!using_autoscheduler()) s.fixed_pools = fixed_pool_shapes(get_target(), knob_overrides());
        for (const FixedPool &f : s.fixed_pools) {
            const int bin = f.side / f.pooled;
            // (pool_size * bin == W, not pool_size == f.pooled: Halide's definitions bind
            // a term two conditions share to a variable, and a schedule's branch folds a
            // select on a condition only where it finds that condition whole. Written as
            // Halide's simplifier writes it, so that it stays whole; the bins differ.)
            s.fixed.push_back((W == f.side && H == f.side) && pool_size * bin == W);
            Func rows("fixed_rows_" + std::to_string(f.side) + "_" + std::to_string(f.pooled));
            Expr row_sum = 0.0f;
            // Promised inside the plane, which the branch guarantees: Halide bounds the
            // input by every branch's reads together, and this one's are constants. A row
            // past the last bin's (the schedule's padding) sums the plane's last row.
            for (int dy = 0; dy < bin; dy++) {
                row_sum += input(unsafe_promise_clamped(v.x, 0, W - 1),
                                 unsafe_promise_clamped(min(j * bin + dy, f.side - 1), 0, H - 1), v.c, v.n);
            }
            rows(v.x, j, v.c, v.n) = row_sum;
            s.fixed_rows.push_back(rows);
        }
        // `general` unless the call is of a fixed shape, then `fast(f)`: the first shape's
        // select outermost, as its branch comes first, so that each branch folds its own
        // select and those of the branches before it, which it knows false.
        auto fixed_or = [&](Expr general, const auto &fast) {
            for (size_t f = s.fixed.size(); f-- > 0;) general = select(s.fixed[f], fast(f), general);
            return general;
        };
        pooled =
            fixed_or(pooled, [&](size_t f) { return fixed_pooled(s.fixed_rows[f], p, v.c, v.n, s.fixed_pools[f]); });
        s.pooled(p, v.c, v.n) = pooled;

        // conv1 (C -> C*r), relu, conv2 (C*r -> C): 1x1, no bias, over the pooled pixels.
        s.over_c = RDom(0, s.channels, "over_c");
        s.expanded(p, k, v.n) = 0.0f;
        s.expanded(p, k, v.n) += conv1_weight(0, 0, s.over_c, k) * s.pooled(p, s.over_c, v.n);
        s.over_k = RDom(0, s.hidden_channels, "over_k");
        s.projected(p, v.c, v.n) = 0.0f;
        s.hidden(p, k, v.n) = relu(s.expanded(p, k, v.n));
        s.projected(p, v.c, v.n) += conv2_weight(0, 0, s.over_k, v.c) * s.hidden(p, s.over_k, v.n);

        // Bilinear with align_corners=True back to H x W: along W, then along H, from
        // the taps of each output column and row (clamped again where they index).
        const Taps across = align_corners_taps(v.x, PW, W), down = align_corners_taps(v.y, PH, H);
        s.column_taps(v.x) = {across.lower, across.upper, across.weight};
        s.row_taps(v.y) = {down.lower, down.upper, down.weight};
        const FuncRef column_tap = s.column_taps(v.x), row_tap = s.row_taps(v.y);
        const Expr map_row = j * PW;
        // strict_float: as fast math, LLVM may rewrite (1 - t) * a + t * b as a + t * (b - a),
        // which turns an infinite a into NaN where torch gives the infinity (measured:
        // tests/nonfinite_test.cpp failed with 288 NaNs for -inf at 2x6x5x37).
        const Expr lower_column = clamp(column_tap[0], 0, PW - 1), upper_column = clamp(column_tap[1], 0, PW - 1);
        Expr lower_pixel, upper_pixel;
        if (get_target().has_gpu_feature()) {
            // A GPU gathers: each tap's pixel read at its index.
            lower_pixel = s.projected(map_row + lower_column, v.c, v.n);
            upper_pixel = s.projected(map_row + upper_column, v.c, v.n);
        } else {
            // x86 vectors cannot gather (each lane a load of its own): the taps' pixels are
            // picked by selects, the same values bit for bit, a vector of x at once. The
            // columns of a group of kTapGroup (aligned) read a window of the row from the
            // group's first lower tap. Taps grow by (PW - 1) / (W - 1) a column, so the group's
            // last lower tap is at most the floor of that times kTapGroup - 1, plus one, past
            // its first; its upper tap one more, float rounding of the taps one more: the
            // window holds the first and that many (and no more than the row).
            const Expr window = min(PW, (kTapGroup - 1) * (PW - 1) / max(W - 1, 1) + 4);
            const Expr window_start = clamp(s.column_taps(v.x / kTapGroup * kTapGroup)[0], 0, PW - 1);
            s.over_window = RDom(1, window - 1, "over_window");
            const Expr column = window_start + s.over_window;
            const Expr pixel = s.projected(map_row + min(column, PW - 1), v.c, v.n);
            const Expr first = s.projected(map_row + window_start, v.c, v.n);
            s.tap_pixels(v.x, j, v.c, v.n) = {first, first};
            const FuncRef picked = s.tap_pixels(v.x, j, v.c, v.n);
            s.tap_pixels(v.x, j, v.c, v.n) = {select(lower_column == column, pixel, picked[0]),
                                              select(upper_column == column, pixel, picked[1])};
            lower_pixel = picked[0];
            upper_pixel = picked[1];
        }
        s.upsampled_columns(v.x, j, v.c, v.n) =
            strict_float((1.0f - column_tap[2]) * lower_pixel + column_tap[2] * upper_pixel);
        // Pooled to its own size, both axes' taps are one pixel with weights 1 and 0:
        // 1 * (1 * a + 0 * a) + 0 * (...) is a + 0 * a (a finite, or NaN for an infinity, as
        // torch gives), read with no table. The promise keeps the convolutions' bounds at the pooled map (without it, Halide
        // bounded them by W * H pixels in the calls that pool: 48 pixels at 8x8, 320 at
        // 64x64, where 16 are needed). It holds on every schedule: one that evaluates both
        // sides of the select (a GPU's, an autoscheduler's) reads pixel 0 there.
        const Expr same_pixel = unsafe_promise_clamped(select(s.same_size, v.x + v.y * PW, 0), 0, PW * PH - 1);
        const Expr same = s.projected(same_pixel, v.c, v.n);
        // The selects pick the rows before the blend: pooled to its own size, the schedule
        // leaves upsampled_columns unwritten, and Halide's specialization on same_size
        // still evaluates both sides of a select on it; arithmetic on the garbage cost
        // denormal assists (tests/scratch_poison_test.cpp). (1 - 0) * a + 0 * a is a + 0 * a.
        const Expr row_weight = select(s.same_size, 0.0f, row_tap[2]);
        const Expr lower_row =
            select(s.same_size, same, s.upsampled_columns(v.x, clamp(row_tap[0], 0, PH - 1), v.c, v.n));
        const Expr upper_row =
            select(s.same_size, same, s.upsampled_columns(v.x, clamp(row_tap[1], 0, PH - 1), v.c, v.n));
        Expr interpolated = strict_float((1.0f - row_weight) * lower_row + row_weight * upper_row);
        // The fixed shapes: the same blends of the same taps, the taps constants.
        for (const FixedPool &f : s.fixed_pools) {
            Func columns("fixed_columns_" + std::to_string(f.side) + "_" + std::to_string(f.pooled));
            columns(v.x, j, v.c, v.n) = fixed_columns(s.projected, v.x, j, v.c, v.n, f.side, f.pooled);
            s.fixed_columns.push_back(columns);
        }
        interpolated = fixed_or(interpolated, [&](size_t f) {
            return fixed_rows_blend(s.fixed_columns[f], v.x, v.y, v.c, v.n, s.fixed_pools[f].side,
                                    s.fixed_pools[f].pooled);
        });
        output(v.x, v.y, v.c, v.n) = interpolated;
        require_dense_from_zero(output);
        require_same_shape(output, input);

        s.output = output;
        if (using_autoscheduler()) {
            estimate_nchw(input);
            estimate_nchw(output);
            conv1_weight.set_estimates({{0, 1}, {0, 1}, {0, kEstimateChannels}, {0, 2 * kEstimateChannels}});
            conv2_weight.set_estimates({{0, 1}, {0, 1}, {0, 2 * kEstimateChannels}, {0, kEstimateChannels}});
            pool_size.set_estimate(2);
        } else {
            schedule_prcm_adaptive_pool(s, get_target(), knob_overrides());
        }
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::PrcmAdaptivePool, prcm_adaptive_pool)
