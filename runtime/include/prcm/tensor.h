// Tensors as users hold them: float32, PyTorch NCHW contiguous, stored in a
// Halide::Runtime::Buffer whose dimensions run the other way (w innermost).
#pragma once

#include <HalideBuffer.h>

#include <string>
#include <vector>

namespace prcm {

using Tensor = Halide::Runtime::Buffer<float>;
using TorchShape = std::vector<int>;  // outermost first, as torch prints it

// A dense tensor of the given torch shape, zero-filled.
Tensor make_tensor(const TorchShape &shape);
TorchShape torch_shape(const Tensor &t);
std::string shape_string(const TorchShape &shape);  // "[2, 65, 7, 9]"

// The reference's result: double precision, NCHW row-major.
struct RefTensor {
    TorchShape shape;
    std::vector<double> data;
    explicit RefTensor(TorchShape s);
    double &at(int n, int c, int h, int w);
};

// Element (n, c, h, w) of an NCHW tensor.
inline float at(const Tensor &t, int n, int c, int h, int w) { return t(w, h, c, n); }

}  // namespace prcm
