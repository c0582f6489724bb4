// PRCM_SE, from notebook 000 §1:
//   expand = nn.Linear(C, C * r, bias=False); shrink = nn.Linear(C * r, C, bias=False)
//   ctx = x.mean(dim=[2, 3]); w = shrink(relu(expand(ctx))).sigmoid(); return x * w
#include "reference_math.h"

#include <algorithm>

namespace prcm {
namespace {

std::vector<WeightSpec> weights(int channels, const HyperParams &hp) {
    const int hidden = channels * hp.expansion;
    return {
        {"expand.weight", {hidden, channels}, Init::fan_in},
        {"shrink.weight", {channels, hidden}, Init::fan_in},
    };
}

HyperParams implied(const Weights &w, int channels, const HyperParams &given) {
    HyperParams hp = given;
    hp.expansion = std::max(1, torch_extent(w, "expand.weight", 0) / channels);
    return hp;
}

RefTensor reference(const Tensor &x, const Weights &w, const HyperParams &) {
    const auto ctx = ref::plane_means(x);
    std::vector<std::vector<double>> scale, shift;
    for (const auto &sample : ctx) {
        std::vector<double> hidden = ref::relu(ref::linear(w.at("expand.weight"), sample));
        std::vector<double> gate = ref::sigmoid(ref::linear(w.at("shrink.weight"), hidden));
        scale.push_back(gate);
        shift.emplace_back(gate.size(), 0.0);
    }
    return ref::modulate(x, scale, shift);
}

}  // namespace

extern const ModuleSpec prcm_se_spec;
const ModuleSpec prcm_se_spec = {
    .name = "prcm_se",
    .title = "PRCM_SE",
    .formula = "x * sigmoid(shrink(relu(expand(mean_hw(x))))), hidden C * r",
    .uses = uses_expansion,
    .defaults = {.expansion = 4},
    .weights = weights,
    .implied = implied,
    .reference = reference,
};

}  // namespace prcm
