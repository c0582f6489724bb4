#include "prcm/tensor.h"

#include <algorithm>
#include <sstream>

namespace prcm {

Tensor make_tensor(const TorchShape &shape) {
    std::vector<int> halide_extents(shape.rbegin(), shape.rend());
    Tensor t(halide_extents);
    // A tensor with a zero-sized dimension has no allocation to fill (Halide asserts).
    if (t.number_of_elements() > 0) t.fill(0.0f);
    return t;
}

TorchShape torch_shape(const Tensor &t) {
    TorchShape s;
    for (int d = t.dimensions() - 1; d >= 0; d--) {
        s.push_back(t.dim(d).extent());
    }
    return s;
}

std::string shape_string(const TorchShape &shape) {
    std::ostringstream out;
    out << "[";
    for (size_t i = 0; i < shape.size(); i++) {
        out << (i ? ", " : "") << shape[i];
    }
    out << "]";
    return out.str();
}

RefTensor::RefTensor(TorchShape s) : shape(std::move(s)) {
    size_t count = 1;
    for (int e : shape) count *= static_cast<size_t>(e);
    data.assign(count, 0.0);
}

double &RefTensor::at(int n, int c, int h, int w) {
    return data[((static_cast<size_t>(n) * shape[1] + c) * shape[2] + h) * shape[3] + w];
}

}  // namespace prcm
