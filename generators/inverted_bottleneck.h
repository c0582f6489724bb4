// The stages of the inverted bottleneck (and of its residual variant), as the
// algorithm (generators/inverted_bottleneck.cpp) defines them for its schedules.
// Each sum is its own Func with an update, so that a schedule can keep it in
// registers; the activation that follows it is the stage that is stored.
#pragma once

#include "Halide.h"

#include <vector>

#include "generators/algorithm_common.h"

namespace prcm {

// A plane width of the depthwise sum's rows form, and the pitch its rows are staged at
// (the width, or a wider one whose last columns are zeros).
struct RowsFormWidth {
    int width, pitch;
};

struct BottleneckStages {
    Axes v;                           // the hidden stages use v.c for their hidden channel
    Halide::ImageParam input;         // (x, y, c, n) the block's input, for a schedule's prefetches
    Halide::Func padded;              // (x, y, c, n) the input, zero outside the plane
    Halide::Func dw_sum, dw;          // (x, y, c, n) depthwise conv + folded bn1; dw = relu of it
    Halide::Func expand_sum, hidden;  // (x, y, h, n) expand + folded bn2; hidden = relu of it
    Halide::Func project_sum;         // (x, y, c, n) project + folded bn3
    Halide::Func output;              // project_sum, plus the input in the residual variant
    // The 1x1 weights and biases, read past the last output channel without a bounds
    // check (a schedule may round channel tiles up): the biases read zero there, the
    // weights the last channel's again (such a tile's sums are never stored).
    Halide::Func expand_weight, expand_bias, project_weight, project_bias;
    Halide::RDom kernel;  // (kx, ky) over the k x k window
    // The depthwise sum in a second form, equal to dw_sum, for the planes whose rows a
    // schedule packs whole into a vector (rows_form): the plane staged as one run of
    // W * H floats, zero beyond it, so that a tap's window over whole rows is one dense
    // load; each column kx of taps is summed over ky, then masked off where x + kx
    // falls beyond the row. Undefined where a schedule packs no rows (GPUs).
    std::vector<RowsFormWidth> row_widths;     // the plane widths W of the rows form, and their rows' pitch
    Halide::Expr rows_form;                    // W is one of them: dw reads dw_sum_rows, not dw_sum
    Halide::Func flat_plane;                   // (i, c, n) zeros, the plane's pixel (x, y) at i = x + pitch * y
    Halide::Func tap_columns;                  // (x, y, kx, c, n) the column kx of taps, summed over ky
    Halide::Func dw_sum_rows;                  // (x, y, c, n) folded bias + the masked columns
    Halide::RDom kernel_rows, kernel_columns;  // ky past the first (for tap_columns) and kx (for dw_sum_rows)
    Halide::RDom over_channels;                // the expand's sum over C
    Halide::RDom over_hidden;                  // the project's sum over C * r
    Halide::Expr width, height, channels, hidden_channels, batch, kernel_size;
    Halide::Expr cpu_threads;  // the pool's threads at the call (a CPU library's input); undefined on GPUs
};

// Every weight's extents follow from C, k and C*r, so a mismatched buffer is refused by
// the pipeline (both forms' generators). k must be odd: padding k // 2 keeps the plane's
// size only then (the constraint below reads "k == 2 * (k / 2) + 1").
template <typename Weight, typename Bias>
void tie_bottleneck_weights(Weight &dw_conv_weight, Bias &dw_conv_bias, Weight &expand_weight, Bias &expand_bias,
                            Weight &project_weight, Bias &project_bias, const Halide::Expr &channels,
                            const Halide::Expr &hidden_channels, const Halide::Expr &kernel_size, bool cpu) {
    require_dense_from_zero(dw_conv_weight);
    dw_conv_weight.dim(0).set_extent(2 * (kernel_size / 2) + 1);
    dw_conv_weight.dim(1).set_extent(kernel_size);
    dw_conv_weight.dim(2).set_extent(1);
    dw_conv_weight.dim(3).set_extent(channels);
    // Dense on CPUs, as torch's: at a known k a channel's taps then lie at constant
    // offsets from one pointer, where the depthwise loop kept a pointer per kernel
    // row on the stack. (The runtime passes every weight dense; the GPU kernels,
    // which cannot be tested here, keep their code.)
    if (cpu) {
        dw_conv_weight.dim(1).set_stride(kernel_size);
        dw_conv_weight.dim(3).set_stride(kernel_size * kernel_size);
    }
    require_dense_from_zero(dw_conv_bias);
    dw_conv_bias.dim(0).set_extent(channels);
    // A 1x1 conv's weight (1, 1, in, out), its input channels contiguous, and its bias (out);
    // the expand's out is C*r itself, which the other extents follow.
    auto tie_1x1 = [](Weight &weight, Bias &bias, const Halide::Expr &in, const Halide::Expr &out, bool out_known) {
        require_dense_from_zero(weight);
        weight.dim(0).set_extent(1);
        weight.dim(1).set_extent(1);
        weight.dim(2).set_extent(in);
        weight.dim(2).set_stride(1);
        if (out_known) weight.dim(3).set_extent(out);
        require_dense_from_zero(bias);
        bias.dim(0).set_extent(out);
    };
    tie_1x1(expand_weight, expand_bias, channels, hidden_channels, false);
    tie_1x1(project_weight, project_bias, hidden_channels, channels, true);
}

// A tile rounded up past the last output channel reads that channel's weights again:
// its sums are never stored (the output's tiles are guarded, the project sums over
// the hidden channels' RDom only), so they need not be zero, and the clamp on the
// output channel alone is invariant in the sum's loop. Zero weights (a boundary on
// every dimension) cost a test, a mask and a clamp of the summed channel at every
// FMA where Halide did not partition them away (a 7x7 plane's 8-lane tiles).
template <typename Weight>
Halide::Func last_channel_past_end(const Weight &weight, const Halide::Expr &outputs, const char *name) {
    Halide::Func f(name);
    Halide::Var k0, k1, in, out;
    f(k0, k1, in, out) = weight(k0, k1, in, Halide::min(out, outputs - 1));
    return f;
}

// The same block over a plane's pixels in one run (p = x + W * y), the form of the library
// `inverted_bottleneck_flat` (generators/inverted_bottleneck_flat.cpp), which the runtime
// calls with the tensors viewed as (W * H, C, N): the 1x1 convolutions, nearly all of the
// work, then fill every lane of a vector whatever W is (a row of 20 fills 20 of 32 lanes
// in the other form). The depthwise taps read p + dx + W * dy, each column of taps masked
// where x + dx falls off the row.
//
// The sums, from the depthwise taps to the project's, come in two copies of the same
// arithmetic: one per shape of register tile (FlatBottleneckSums), so that a call takes the
// tile that leaves the fewest lanes idle at its plane (the schedule's `wide_tiles`).
struct FlatBottleneckSums {
    Halide::Func tap_columns;         // (p, kx, c, n) the column kx of taps, summed over ky
    Halide::Func dw_sum, dw;          // (p, c, n) depthwise conv + folded bn1; dw = relu of it
    Halide::Func expand_sum, hidden;  // (p, h, n)
    Halide::Func project_sum;         // (p, c, n)
    bool defined() const { return project_sum.defined(); }
};

struct FlatBottleneckStages {
    Halide::Var p{"p"}, c{"c"}, n{"n"};  // the hidden stages use c for their hidden channel
    Halide::Func plane;                  // (p, c, n) the input, zero before and after the plane
    Halide::Func column;                 // (p) x, the column of pixel p
    FlatBottleneckSums narrow;           // the register tiles of tile_rows vectors
    FlatBottleneckSums wide;             // of flat_wide_tile_rows vectors; undefined where a target has none
    Halide::Expr wide_tiles;             // the call takes the wide tiles (defined with them)
    Halide::Func output;
    Halide::Func expand_weight, expand_bias, project_weight, project_bias;  // as BottleneckStages'
    Halide::RDom kernel_rows, kernel_columns, over_channels, over_hidden;
    Halide::Expr pixels, width, channels, hidden_channels, batch, kernel_size;
    Halide::Expr cpu_threads;
};

// The same block with its vectors over channels, the form of the library
// `inverted_bottleneck_channels` (generators/inverted_bottleneck_channels.cpp), which the
// runtime calls with the tensors viewed as (W * H, C, N) and the 1x1 weights packed, output
// channel innermost. Every stage but the output keeps a pixel's channels together, so a
// register tile is a few pixels by a few channel vectors whatever the plane's size: no pixel
// is computed twice (14x14's 196 pixels, which vectors of pixels take as 224), and each
// depthwise tap is one aligned vector load. The output transposes back to (p, c).
struct ChannelsBottleneckStages {
    Halide::Var c{"c"}, p{"p"}, q{"q"}, n{"n"};  // the hidden stages use c for their hidden channel
    Halide::Func staged;                         // (c, q, n) the plane zero-padded by k / 2 all round, q = x + Wp * y
    Halide::Func window;                         // (p) q of pixel p's first tap: p + (k - 1) * (p / W)
    Halide::Func taps;                           // (c, kx, ky) the depthwise weights, channel innermost
    Halide::Func dw_sum, dw;                     // (c, p, n) depthwise conv + folded bn1; dw = relu of it
    Halide::Func expand_sum, hidden;             // (h, p, n)
    Halide::Func project_sum, project;           // (c, p, n) project + folded bn3; project = a copy, per tile
    Halide::Func output;                         // (p, c, n)
    Halide::Func expand_bias, project_bias;      // zero past the last channel
    Halide::RDom kernel, over_channels, over_hidden;
    Halide::Expr pixels, width, padded_width, channels, hidden_channels, batch, kernel_size;
    Halide::Expr cpu_threads;
};

}  // namespace prcm
