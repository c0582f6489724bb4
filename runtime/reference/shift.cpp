// Shift, from notebook 001 §5: x + beta, beta = torch.randn(1, C, 1, 1).
#include "component_math.h"

namespace prcm {
namespace {

// Plain tensors in the notebook, not nn.Parameters: no parameters to count.
std::vector<WeightSpec> weights(int channels, const HyperParams &) {
    return {
        {"beta", {1, channels, 1, 1}, Init::normal, false},
    };
}

HyperParams implied(const Weights &, int, const HyperParams &given) { return given; }

RefTensor reference(const Tensor &x, const Weights &w, const HyperParams &) {
    const int N = x.dim(3).extent(), C = x.dim(2).extent();
    const std::vector<std::vector<double>> ones(N, std::vector<double>(C, 1.0));
    return ref::modulate(x, ones, ref::broadcast_channels(w.at("beta"), N));
}

}  // namespace

extern const ModuleSpec shift_spec;
const ModuleSpec shift_spec = {
    .name = "shift",
    .title = "Shift",
    .formula = "x + beta, beta [1, C, 1, 1]",
    .uses = 0,
    .defaults = {},
    .weights = weights,
    .implied = implied,
    .reference = reference,
};

}  // namespace prcm
