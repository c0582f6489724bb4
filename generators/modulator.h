// The algorithm shared by every channel modulator: a global average pool, a chain
// of tiny per-sample vectors, and an output pass over the input. The stages a
// schedule needs are kept in ModulatorStages.
#pragma once

#include "Halide.h"
#include "generators/algorithm_common.h"

namespace prcm {

struct ModulatorStages {
    Axes v;
    PlaneSum gap;                       // (c, n) plane sums feeding the mean
    Halide::Func ctx{"ctx"};            // (c, n) == x.mean(dim=[2, 3])
    std::vector<Halide::Func> vectors;  // per-sample vectors, (k, n) each, producers first
    Halide::Func output;                // (x, y, c, n)
    Halide::Expr width, height, channels, batch;
    // Multiply-adds of the per-sample vectors that every output channel needs whole (all
    // but the last, per-channel layer): what a GPU schedule recomputes per block.
    Halide::Expr sample_macs;
};

// The pool and the shapes; the caller adds its vectors and output.
template <typename InputBuffer>
ModulatorStages modulator_stages(InputBuffer &input) {
    ModulatorStages s;
    s.width = input.dim(0).extent();
    s.height = input.dim(1).extent();
    s.channels = input.dim(2).extent();
    s.batch = input.dim(3).extent();
    s.gap = plane_sum(input, s.v);
    s.ctx(s.v.c, s.v.n) = s.gap.sum(s.v.c, s.v.n) / Halide::cast<float>(s.width * s.height);
    require_dense_from_zero(input);
    return s;
}

// The row a weight read uses for output `out`: past the last of `count` rows it repeats the
// last, so a schedule may compute whole vectors or blocks of outputs without reading past
// the weight (the extra outputs are discarded).
inline Halide::Expr row_or_last(const Halide::Expr &out, const Halide::Expr &count) {
    return Halide::min(out, count - 1);
}

// coeff = ctx @ basis.T, (b, n). The basis is torch [B, C], i.e. (c, b) here.
template <typename BasisBuffer>
Halide::Func basis_coefficients(const ModulatorStages &s, BasisBuffer &basis) {
    require_dense_from_zero(basis);
    basis.dim(0).set_extent(s.channels);
    Halide::RDom over_c(0, s.channels, "over_c");
    Halide::Func coeff("coeff");
    coeff(s.v.b, s.v.n) = Halide::sum(s.ctx(over_c, s.v.n) * basis(over_c, row_or_last(s.v.b, basis.dim(1).extent())));
    return coeff;
}

// nn.Linear(in, out, bias=False) applied to a (k, n) vector: weight is torch
// [out, in], i.e. (in, out) here; its extents are tied to the given sizes.
template <typename WeightBuffer>
Halide::Expr linear(WeightBuffer &weight, const Halide::Func &in, const Halide::Expr &in_features,
                    const Halide::Expr &out_features, const Halide::Var &out, const Halide::Var &n) {
    require_dense_from_zero(weight);
    weight.dim(0).set_extent(in_features);
    weight.dim(1).set_extent(out_features);
    Halide::RDom over_in(0, in_features, "over_in");
    return Halide::sum(in(over_in, n) * weight(over_in, row_or_last(out, out_features)));
}

// nn.Linear(in, out, bias=False) as a stage of its own, (out, n), whose update sums
// over `in`: a schedule can then vectorize that sum along `in`, the weight's
// contiguous axis, where the inline linear() can only gather across outputs.
// In ModulatorStages::vectors it comes right before the one vector that reads it.
template <typename WeightBuffer>
Halide::Func linear_stage(const std::string &name, WeightBuffer &weight, const Halide::Func &in,
                          const Halide::Expr &in_features, const Halide::Expr &out_features, const Halide::Var &out,
                          const Halide::Var &n) {
    require_dense_from_zero(weight);
    weight.dim(0).set_extent(in_features);
    weight.dim(1).set_extent(out_features);
    Halide::RDom over_in(0, in_features, "over_in");
    Halide::Func product(name);
    product(out, n) = 0.0f;
    product(out, n) += in(over_in, n) * weight(over_in, row_or_last(out, out_features));
    return product;
}

// nn.Linear(in, out) with its bias: the bias is torch [out], (out) here.
template <typename WeightBuffer, typename BiasBuffer>
Halide::Expr linear_with_bias(WeightBuffer &weight, BiasBuffer &bias, const Halide::Func &in,
                              const Halide::Expr &in_features, const Halide::Expr &out_features, const Halide::Var &out,
                              const Halide::Var &n) {
    require_dense_from_zero(bias);
    bias.dim(0).set_extent(out_features);
    return linear(weight, in, in_features, out_features, out, n) + bias(row_or_last(out, out_features));
}

}  // namespace prcm
