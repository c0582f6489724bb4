// Affine, from notebook 001 §5: x * alpha + beta, alpha and beta = torch.randn(1, C, 1, 1).
#include "component_math.h"

namespace prcm {
namespace {

// Plain tensors in the notebook, not nn.Parameters: no parameters to count.
std::vector<WeightSpec> weights(int channels, const HyperParams &) {
    return {
        {"alpha", {1, channels, 1, 1}, Init::normal, false},
        {"beta", {1, channels, 1, 1}, Init::normal, false},
    };
}

HyperParams implied(const Weights &, int, const HyperParams &given) { return given; }

RefTensor reference(const Tensor &x, const Weights &w, const HyperParams &) {
    const int N = x.dim(3).extent();
    return ref::modulate(x, ref::broadcast_channels(w.at("alpha"), N), ref::broadcast_channels(w.at("beta"), N));
}

}  // namespace

extern const ModuleSpec affine_spec;
const ModuleSpec affine_spec = {
    .name = "affine",
    .title = "Affine",
    .formula = "x * alpha + beta, alpha and beta [1, C, 1, 1]",
    .uses = 0,
    .defaults = {},
    .weights = weights,
    .implied = implied,
    .reference = reference,
};

}  // namespace prcm
