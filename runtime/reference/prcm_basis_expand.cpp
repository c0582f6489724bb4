// PRCM_BasisExpand, from notebook 000 §1:
//   expand = nn.Linear(B, B * r, bias=False); shrink = nn.Linear(B * r, C, bias=False)
//   ctx = x.mean(dim=[2, 3]); coeff = ctx @ basis.t()
//   w = shrink(relu(expand(coeff))).sigmoid(); return x * w
#include "reference_math.h"

#include <algorithm>

namespace prcm {
namespace {

std::vector<WeightSpec> weights(int channels, const HyperParams &hp) {
    const int hidden = hp.num_basis * hp.expansion;
    return {
        {"basis", {hp.num_basis, channels}, Init::normal},
        {"expand.weight", {hidden, hp.num_basis}, Init::fan_in},
        {"shrink.weight", {channels, hidden}, Init::fan_in},
    };
}

HyperParams implied(const Weights &w, int, const HyperParams &given) {
    HyperParams hp = given;
    hp.num_basis = torch_extent(w, "basis", 0);
    hp.expansion = std::max(1, torch_extent(w, "expand.weight", 0) / std::max(1, hp.num_basis));
    return hp;
}

RefTensor reference(const Tensor &x, const Weights &w, const HyperParams &) {
    const auto ctx = ref::plane_means(x);
    std::vector<std::vector<double>> scale, shift;
    for (const auto &sample : ctx) {
        std::vector<double> coeff = ref::linear(w.at("basis"), sample);  // ctx @ basis.T
        std::vector<double> hidden = ref::relu(ref::linear(w.at("expand.weight"), coeff));
        std::vector<double> gate = ref::sigmoid(ref::linear(w.at("shrink.weight"), hidden));
        scale.push_back(gate);
        shift.emplace_back(gate.size(), 0.0);
    }
    return ref::modulate(x, scale, shift);
}

}  // namespace

extern const ModuleSpec prcm_basis_expand_spec;
const ModuleSpec prcm_basis_expand_spec = {
    .name = "prcm_basis_expand",
    .title = "PRCM_BasisExpand",
    .formula = "x * sigmoid(shrink(relu(expand(mean_hw(x) @ basis.T)))), hidden B * r",
    .uses = uses_num_basis | uses_expansion,
    .defaults = {.num_basis = 8, .expansion = 4},
    .weights = weights,
    .implied = implied,
    .reference = reference,
};

}  // namespace prcm
