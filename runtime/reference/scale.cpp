// Scale, from notebook 001 §5: x * alpha, alpha = torch.randn(1, C, 1, 1).
#include "component_math.h"

namespace prcm {
namespace {

// Plain tensors in the notebook, not nn.Parameters: no parameters to count.
std::vector<WeightSpec> weights(int channels, const HyperParams &) {
    return {
        {"alpha", {1, channels, 1, 1}, Init::normal, false},
    };
}

HyperParams implied(const Weights &, int, const HyperParams &given) { return given; }

RefTensor reference(const Tensor &x, const Weights &w, const HyperParams &) {
    const int N = x.dim(3).extent(), C = x.dim(2).extent();
    const std::vector<std::vector<double>> zeros(N, std::vector<double>(C, 0.0));
    return ref::modulate(x, ref::broadcast_channels(w.at("alpha"), N), zeros);
}

}  // namespace

extern const ModuleSpec scale_spec;
const ModuleSpec scale_spec = {
    .name = "scale",
    .title = "Scale",
    .formula = "x * alpha, alpha [1, C, 1, 1]",
    .uses = 0,
    .defaults = {},
    .weights = weights,
    .implied = implied,
    .reference = reference,
};

}  // namespace prcm
