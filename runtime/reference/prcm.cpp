// PRCM, from notebook 001 §1 (and 000 §1):
//   ctx = x.mean(dim=[2, 3]); coeff = ctx @ basis.t()
//   w = fuser(coeff).sigmoid(); return x * w
#include "reference_math.h"

namespace prcm {
namespace {

std::vector<WeightSpec> weights(int channels, const HyperParams &hp) {
    return {
        {"basis", {hp.num_basis, channels}, Init::normal},
        {"fuser.weight", {channels, hp.num_basis}, Init::fan_in},
    };
}

HyperParams implied(const Weights &w, int, const HyperParams &given) {
    HyperParams hp = given;
    hp.num_basis = torch_extent(w, "basis", 0);
    return hp;
}

RefTensor reference(const Tensor &x, const Weights &w, const HyperParams &) {
    const Tensor &basis = w.at("basis");
    const auto ctx = ref::plane_means(x);
    std::vector<std::vector<double>> scale, shift;
    for (const auto &sample : ctx) {
        std::vector<double> coeff = ref::linear(basis, sample);  // ctx @ basis.T
        std::vector<double> gate = ref::sigmoid(ref::linear(w.at("fuser.weight"), coeff));
        scale.push_back(gate);
        shift.emplace_back(gate.size(), 0.0);
    }
    return ref::modulate(x, scale, shift);
}

}  // namespace

extern const ModuleSpec prcm_spec;
const ModuleSpec prcm_spec = {
    .name = "prcm",
    .title = "PRCM",
    .formula = "x * sigmoid(fuser(mean_hw(x) @ basis.T))",
    .uses = uses_num_basis,
    .defaults = {.num_basis = 8},
    .weights = weights,
    .implied = implied,
    .reference = reference,
};

}  // namespace prcm
