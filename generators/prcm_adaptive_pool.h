// The stages of PRCM_AdaptivePool as the algorithm (generators/prcm_adaptive_pool.cpp)
// defines them for its schedules. Not a modulator: a small pooled map goes through
// two 1x1 convolutions and is interpolated back to the input's size.
#pragma once

#include "Halide.h"
#include "generators/algorithm_common.h"

#include <vector>

namespace prcm {

// The interpolation along W on CPUs picks the taps' pixels of kTapGroup columns at
// once (aligned groups) out of one window of the pooled row: a schedule's vectors span a group.
constexpr int kTapGroup = 16;

// A square plane of `side` x `side` pooled to `pooled` x `pooled` in uniform bins, a
// shape the algorithm also spells with its sizes as constants (CPU schedules): in its
// branch the bins' pixels and the interpolation's taps are constants, so the pool loads
// whole rows of the plane and shuffles them, and the interpolation picks each lane's tap
// by a constant mask, where the general form reads tables and gathers a lane at a time.
// The list: schedules/prcm_adaptive_pool.h, fixed_pool_shapes.
struct FixedPool {
    int side, pooled;
};

struct AdaptivePoolStages {
    Axes v;                       // x, y, c, n of the input and the output
    Halide::Var p{"p"};           // pixel of the pooled map: i + j * pooled_width
    Halide::Var i{"i"}, j{"j"};   // column and row of the pooled map
    Halide::Var k{"k"};           // hidden channel
    Halide::RDom bin_rows;        // the rows of a bin (over the tallest)
    Halide::RDom bin_columns;     // the columns of a bin's window (as wide as the widest bin)
    Halide::RDom over_c, over_k;  // the input channels of conv1 and of conv2
    Halide::RDom over_window;     // a window of a pooled row after its first pixel (CPU targets)

    // Tables: (j) bin j of the rows, (i) bin i of the columns; (p) pixel p's row,
    // window, first column in the window, columns and area; (x) and (y) the two
    // source indices and the upper one's weight of the interpolation.
    Halide::Func row_start{"row_start"}, row_count{"row_count"};
    Halide::Func column_start{"column_start"}, column_count{"column_count"};
    Halide::Func pixel_bins{"pixel_bins"};
    Halide::Func column_taps{"column_taps"}, row_taps{"row_taps"};

    Halide::Func pooled_rows{"pooled_rows"};              // (x, j, c, n) x summed over each bin of rows
    Halide::Func binned{"binned"};                        // (p, c, n) those summed over each bin of columns
    Halide::Func pooled{"pooled"};                        // (p, c, n) adaptive_avg_pool2d(x, ps)
    Halide::Func expanded{"expanded"};                    // (p, k, n) conv1(pooled)
    Halide::Func hidden{"hidden"};                        // (p, k, n) relu(expanded)
    Halide::Func projected{"projected"};                  // (p, c, n) conv2(hidden)
    Halide::Func tap_pixels{"tap_pixels"};                // (x, j, c, n) projected at x's two taps in row j (CPU)
    Halide::Func upsampled_columns{"upsampled_columns"};  // (x, j, c, n) projected interpolated along W
    Halide::Func output;                                  // (x, y, c, n) and along H
    Halide::Expr width, height, channels, batch, hidden_channels, pooled_width, pooled_height;
    Halide::Expr same_size;  // pooled to the input's own size: the interpolation reads one pixel

    std::vector<FixedPool> fixed_pools;       // the shapes spelled with constants (none on GPUs)
    std::vector<Halide::Expr> fixed;          // the call is of fixed_pools[i]
    std::vector<Halide::Func> fixed_rows;     // (x, j, c, n) x summed over each bin of rows, for fixed_pools[i]
    std::vector<Halide::Func> fixed_columns;  // (x, j, c, n) projected interpolated along W, for fixed_pools[i]
};

}  // namespace prcm
