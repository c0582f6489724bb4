// The stages of the inverted bottleneck (and of its residual variant), as the
// algorithm (generators/inverted_bottleneck.cpp) defines them for its schedules.
// Each sum is its own Func with an update, so that a schedule can keep it in
// registers; the activation that follows it is the stage that is stored.
#pragma once

#include "Halide.h"
#include "generators/algorithm_common.h"

namespace prcm {

struct BottleneckStages {
    Axes v;                           // the hidden stages use v.c for their hidden channel
    Halide::Func padded;              // (x, y, c, n) the input, zero outside the plane
    Halide::Func dw_sum, dw;          // (x, y, c, n) depthwise conv + folded bn1; dw = relu of it
    Halide::Func expand_sum, hidden;  // (x, y, h, n) expand + folded bn2; hidden = relu of it
    Halide::Func project_sum;         // (x, y, c, n) project + folded bn3
    Halide::Func output;              // project_sum, plus the input in the residual variant
    // The 1x1 weights and biases, zero beyond their channels: a schedule may round
    // channel tiles up and read them without a bounds check.
    Halide::Func expand_weight, expand_bias, project_weight, project_bias;
    Halide::RDom kernel;         // (kx, ky) over the k x k window
    Halide::RDom over_channels;  // the expand's sum over C
    Halide::RDom over_hidden;    // the project's sum over C * r
    Halide::Expr width, height, channels, hidden_channels, batch, kernel_size;
};

}  // namespace prcm
