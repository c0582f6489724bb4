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

}  // namespace prcm
