// Tensors as users hold them: float32, PyTorch NCHW contiguous, stored in a
// Halide::Runtime::Buffer whose dimensions run the other way (w innermost).
#pragma once

#include "prcm/status.h"

#include <HalideBuffer.h>

#include <cstddef>
#include <string>
#include <vector>

namespace prcm {

using Tensor = Halide::Runtime::Buffer<float>;
using TorchShape = std::vector<int>;  // outermost first, as torch prints it

// A dense tensor of the given torch shape, zero-filled. The shape must pass
// check_tensor_shape; an allocation that fails throws std::bad_alloc.
Tensor make_tensor(const TorchShape &shape);

// The most dimensions a tensor read from a file may have: no block has more than
// four, numpy 1.x allowed 32; the cap keeps a hostile header's shape small.
constexpr size_t max_tensor_rank = 32;

// Whether a shape can be a Tensor, before anything is allocated: at most
// max_tensor_rank dimensions, none negative, its byte count fits in size_t with
// room to spare (at most 2^62), and Halide can index it: extents and strides are
// int32, so the product of every size but the outermost must fit in int32.
// Zero sizes are allowed here (callers refuse them where they must). On success
// *bytes (if given) is the tensor's size in bytes. Errors are ErrorKind::invalid
// and say "shape [..] ...".
Status check_tensor_shape(const TorchShape &shape, size_t *bytes = nullptr);

// make_tensor for sizes that come from users or files: check_tensor_shape first
// (ErrorKind::invalid), then an allocation that fails is ErrorKind::failed, with
// how many bytes were needed; nothing aborts.
Status make_tensor_checked(const TorchShape &shape, Tensor *tensor);

// A command line's N,C,H,W: exactly four comma-separated decimal integers, each
// at least 1 and within int32, the whole passing check_tensor_shape. Strict: no
// spaces, no '+', no empty parts (a trailing comma is one); "-1" is an integer,
// refused as less than 1. Messages start with the quoted text so a caller can
// put the flag before them (Status::prefixed("--shape ")):
// "'1,x,4,4' is not N,C,H,W: 'x' is not an integer",
// "'1,2,3' must have four sizes, N,C,H,W", "'1,0,4,4': every size must be at least 1".
Status parse_torch_shape(const std::string &text, TorchShape *shape);
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
