// SE_Module's library arguments. When C < r the hidden width C // r is 0: PyTorch's
// fc1 yields an empty vector and the gate is sigmoid(fc2.bias). The naive reference
// (runtime/reference/se.cpp) computes that from the empty weights as they are.
#include "library_arguments.h"

namespace prcm::transforms {

// With no hidden units the library gets one that is all zeros instead: relu(0) * 0
// adds exactly nothing, so the gate is still sigmoid(fc2.bias). A zero-sized buffer
// cannot reach a Halide pipeline: with no host memory it reads as a bounds query,
// and the GPU runtimes refuse to allocate zero bytes.
Weights pad_se_empty_hidden(const Weights &w, const HyperParams &) {
    if (torch_extent(w, "fc1.bias", 0) > 0) return w;
    const int channels = torch_extent(w, "fc2.bias", 0);
    Weights padded = w;
    padded.at("fc1.weight") = make_tensor({1, channels});
    padded.at("fc1.bias") = make_tensor({1});
    padded.at("fc2.weight") = make_tensor({channels, 1});
    return padded;
}

}  // namespace prcm::transforms
