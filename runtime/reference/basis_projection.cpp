// Basis projection, from notebook 001 §5: coeff = ctx @ basis.t(), on ctx [N, C].
#include "component_math.h"

namespace prcm {
namespace {

std::vector<WeightSpec> weights(int channels, const HyperParams &hp) {
    return {{"basis", {hp.num_basis, channels}, Init::normal}};
}

HyperParams implied(const Weights &w, int, const HyperParams &given) {
    HyperParams hp = given;
    hp.num_basis = torch_extent(w, "basis", 0);
    return hp;
}

RefTensor reference(const Tensor &ctx, const Weights &w, const HyperParams &) {
    std::vector<std::vector<double>> coeff;
    for (const auto &sample : ref::rows(ctx)) coeff.push_back(ref::linear(w.at("basis"), sample));
    return ref::from_rows(coeff);
}

TorchShape input_shape(const TorchShape &x, const HyperParams &) { return {x[0], x[1]}; }
TorchShape output_shape(const TorchShape &ctx, int, const HyperParams &hp) { return {ctx[0], hp.num_basis}; }

}  // namespace

extern const ModuleSpec basis_projection_spec;
const ModuleSpec basis_projection_spec = {
    .name = "basis_projection",
    .title = "Basis Projection",
    .formula = "coeff = ctx @ basis.t(): ctx [N, C] -> coeff [N, B]",
    .uses = uses_num_basis,
    .defaults = {.num_basis = 8},
    .weights = weights,
    .implied = implied,
    .reference = reference,
    .input_shape = input_shape,
    .output_shape = output_shape,
};

}  // namespace prcm
