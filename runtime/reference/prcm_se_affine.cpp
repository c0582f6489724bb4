// PRCM_SE_Affine, from notebook 000 §1:
//   expand = nn.Linear(C, C * r, bias=False); scale_proj, shift_proj = nn.Linear(C * r, C, bias=False)
//   ctx = relu(expand(x.mean(dim=[2, 3])))
//   alpha = scale_proj(ctx).sigmoid(); beta = shift_proj(ctx); return x * alpha + beta
#include "reference_math.h"

#include <algorithm>

namespace prcm {
namespace {

std::vector<WeightSpec> weights(int channels, const HyperParams &hp) {
    const int hidden = channels * hp.expansion;
    return {
        {"expand.weight", {hidden, channels}, Init::fan_in},
        {"scale_proj.weight", {channels, hidden}, Init::fan_in},
        {"shift_proj.weight", {channels, hidden}, Init::fan_in},
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
        std::vector<double> alpha = ref::sigmoid(ref::linear(w.at("scale_proj.weight"), hidden));
        scale.push_back(alpha);
        shift.push_back(ref::linear(w.at("shift_proj.weight"), hidden));
    }
    return ref::modulate(x, scale, shift);
}

}  // namespace

extern const ModuleSpec prcm_se_affine_spec;
const ModuleSpec prcm_se_affine_spec = {
    .name = "prcm_se_affine",
    .title = "PRCM_SE_Affine",
    .formula = "x * sigmoid(scale_proj(h)) + shift_proj(h), h = relu(expand(mean_hw(x))), hidden C * r",
    .uses = uses_expansion,
    .defaults = {.expansion = 4},
    .weights = weights,
    .implied = implied,
    .reference = reference,
};

}  // namespace prcm
