// ShiftOnlyPRCM, from notebook 001 §1:
//   ctx = x.mean(dim=[2, 3]); coeff = ctx @ basis.t()
//   beta = shift_proj(coeff); return x + beta
#include "reference_math.h"

namespace prcm {
namespace {

std::vector<WeightSpec> weights(int channels, const HyperParams &hp) {
    return {
        {"basis", {hp.num_basis, channels}, Init::normal},
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
        shift.push_back(ref::linear(w.at("shift_proj.weight"), coeff));
        scale.emplace_back(sample.size(), 1.0);
    }
    return ref::modulate(x, scale, shift);
}

}  // namespace

extern const ModuleSpec shift_only_prcm_spec;
const ModuleSpec shift_only_prcm_spec = {
    .name = "shift_only_prcm",
    .title = "ShiftOnlyPRCM",
    .formula = "x + shift_proj(mean_hw(x) @ basis.T)",
    .uses = uses_num_basis,
    .defaults = {.num_basis = 8},
    .weights = weights,
    .implied = implied,
    .reference = reference,
};

}  // namespace prcm
