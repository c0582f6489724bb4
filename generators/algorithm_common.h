// Algorithm pieces shared by the generators. Nothing here schedules anything.
#pragma once

#include "Halide.h"

namespace prcm {

// The canonical loop variables, named after the tensor axes they walk.
struct Axes {
    Halide::Var x{"x"}, y{"y"}, c{"c"}, n{"n"}, b{"b"};
};

// Halide compiles CPU code as if no value were NaN (LLVM's fast-math flags) and
// lowers max(a, b) to `a > b ? a : b`, so a NaN can vanish wherever a comparison
// decides; is_nan() is always evaluated strictly. The activations below keep a
// NaN as torch does; elsewhere NaN and infinities pass through arithmetic, which
// the hardware keeps IEEE. Checked by tests/nonfinite_test.cpp on every device.

// is_nan() read off the bits (an exponent of all ones, a nonzero mantissa). LLVM may fold
// a floating-point is_nan() of a value that fast-math arithmetic made to false, that
// arithmetic being flagged as never making a NaN; it does not reason so about an integer
// compare. Seen on the SSE2 baseline target: PRCM's gate was sigmoid(NaN) = 0, every output
// of the sample 0 instead of NaN (tests/nonfinite_test.cpp on every CPU target).
inline Halide::Expr is_nan_by_bits(const Halide::Expr &z) {
    return (Halide::reinterpret<int32_t>(z) & 0x7fffffff) > 0x7f800000;
}

// Logistic function as torch.sigmoid computes it (accurate exp, no fast path).
// Halide's CPU exp returns 0, not inf, past 2^31 ln 2 (its exponent overflows
// int32), so the far negative tail, 0 in float from -89 on, is selected outright.
inline Halide::Expr sigmoid(const Halide::Expr &z) {
    return Halide::select(is_nan_by_bits(z), z, z < -100.0f, 0.0f, 1.0f / (1.0f + Halide::exp(-z)));
}

// F.relu: max(v, 0), and NaN for NaN.
inline Halide::Expr relu(const Halide::Expr &v) { return Halide::select(Halide::is_nan(v), v, Halide::max(v, 0.0f)); }

// Sum over each (c, n) plane of an NCHW input: the numerator of x.mean(dim=[2, 3]).
// The sum is its own Func with an update so that a schedule can rfactor it.
struct PlaneSum {
    Halide::Func sum;    // (c, n)
    Halide::RDom plane;  // (x over W, y over H)
};

template <typename InputBuffer>
PlaneSum plane_sum(const InputBuffer &input, const Axes &v) {
    PlaneSum p;
    p.plane = Halide::RDom(0, input.dim(0).extent(), 0, input.dim(1).extent(), "plane");
    p.sum = Halide::Func("plane_sum");
    p.sum(v.c, v.n) = 0.0f;
    p.sum(v.c, v.n) += input(p.plane.x, p.plane.y, v.c, v.n);
    return p;
}

// Tensors are dense NCHW with zero mins; a weight's extents are tied to the
// input's channel count and to each other, so a mismatched weight is rejected
// by the pipeline's own checks instead of being read out of bounds.
template <typename BufferParam>
void require_dense_from_zero(BufferParam &buf) {
    buf.dim(0).set_stride(1);
    for (int d = 0; d < buf.dimensions(); d++) {
        buf.dim(d).set_min(0);
    }
}

// The output of a block has exactly the input's shape.
template <typename OutputBuffer, typename InputBuffer>
void require_same_shape(OutputBuffer &output, const InputBuffer &input) {
    for (int d = 0; d < input.dimensions(); d++) {
        output.dim(d).set_bounds(0, input.dim(d).extent());
    }
}

// Estimates for an autoscheduler: the notebooks' 1x64x64x64 with 8 bases.
constexpr int kEstimateBatch = 1, kEstimateChannels = 64, kEstimateSize = 64, kEstimateBasis = 8;

template <typename TensorBuffer>
void estimate_nchw(TensorBuffer &t) {
    t.set_estimates({{0, kEstimateSize}, {0, kEstimateSize}, {0, kEstimateChannels}, {0, kEstimateBatch}});
}

}  // namespace prcm
