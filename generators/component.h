// Algorithm pieces shared by the component kernels of notebook 001 §5: each is
// one step of a modulator, built alone so that its latency can be measured alone.
// Nothing here schedules anything.
#pragma once

#include "Halide.h"
#include "generators/modulator.h"

namespace prcm {

// The global average pool: the plane sums, and their means as the output (c, n).
struct PoolStages {
    Axes v;
    PlaneSum sum;
    Halide::Func output;
    Halide::Expr plane, planes;  // W * H elements per plane, C * N planes
};

// A kernel on per-sample vectors, (k, n) -> (k, n): a few hundred operations.
struct VectorStages {
    Axes v;
    Halide::Func output;
};

// A full-size pass over x with per-channel tensors.
struct ElementwiseStages {
    Axes v;
    Halide::Func output;         // (x, y, c, n)
    Halide::Expr plane, planes;  // W * H elements per plane, C * N planes
};

template <typename InputBuffer>
ElementwiseStages elementwise_stages(InputBuffer &input) {
    ElementwiseStages s;
    s.plane = input.dim(0).extent() * input.dim(1).extent();
    s.planes = input.dim(2).extent() * input.dim(3).extent();
    require_dense_from_zero(input);
    return s;
}

// A torch [1, C, 1, 1] tensor, (1, 1, c, 1) here, broadcast over x: its value at channel c.
template <typename TensorBuffer>
Halide::Expr per_channel(TensorBuffer &t, const Halide::Expr &channels, const Halide::Var &c) {
    require_dense_from_zero(t);
    t.dim(0).set_extent(1);
    t.dim(1).set_extent(1);
    t.dim(2).set_extent(channels);
    t.dim(3).set_extent(1);
    return t(0, 0, c, 0);
}

// Estimates for an autoscheduler, at the notebooks' sizes (see modulator.h).
template <typename VectorBuffer>
void estimate_vector(VectorBuffer &t, int length) {
    t.set_estimates({{0, length}, {0, kEstimateBatch}});
}

template <typename TensorBuffer>
void estimate_per_channel(TensorBuffer &t) {
    t.set_estimates({{0, 1}, {0, 1}, {0, kEstimateChannels}, {0, 1}});
}

}  // namespace prcm
