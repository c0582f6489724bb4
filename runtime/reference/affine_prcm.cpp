// AffinePRCM, from notebook 001 §1:
//   ctx = x.mean(dim=[2, 3]); coeff = ctx @ basis.t()
//   alpha = scale_proj(coeff).sigmoid(); beta = shift_proj(coeff)
//   return x * alpha + beta
#include "reference_math.h"

namespace prcm {
namespace {

std::vector<WeightSpec> weights(int channels, const HyperParams &hp) {
    return {
        {"basis", {hp.num_basis, channels}, Init::normal},
        {"scale_proj.weight", {channels, hp.num_basis}, Init::fan_in},
        {"shift_proj.weight", {channels, hp.num_basis}, Init::fan_in},
    };
}

HyperParams implied(const Weights &w, int, const HyperParams &given) {
    HyperParams hp = given;
    hp.num_basis = torch_extent(w, "basis", 0);
    return hp;
}

RefTensor reference(const Tensor &x, const Weights &w, const HyperParams &) {
    const auto ctx = ref::plane_means(x);
    std::vector<std::vector<double>> scale, shift;
    for (const auto &sample : ctx) {
        std::vector<double> coeff = ref::linear(w.at("basis"), sample);  // ctx @ basis.T
        std::vector<double> alpha = ref::sigmoid(ref::linear(w.at("scale_proj.weight"), coeff));
        scale.push_back(alpha);
        shift.push_back(ref::linear(w.at("shift_proj.weight"), coeff));
    }
    return ref::modulate(x, scale, shift);
}

}  // namespace

extern const ModuleSpec affine_prcm_spec;
const ModuleSpec affine_prcm_spec = {
    .name = "affine_prcm",
    .title = "AffinePRCM",
    .formula = "x * sigmoid(scale_proj(coeff)) + shift_proj(coeff), coeff = mean_hw(x) @ basis.T",
    .uses = uses_num_basis,
    .defaults = {.num_basis = 8},
    .weights = weights,
    .implied = implied,
    .reference = reference,
};

}  // namespace prcm
