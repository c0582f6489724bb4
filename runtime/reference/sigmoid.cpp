// Sigmoid, from notebook 001 §5: coeff.sigmoid(), on coeff [N, B].
#include "component_math.h"

namespace prcm {
namespace {

std::vector<WeightSpec> weights(int, const HyperParams &) { return {}; }

HyperParams implied(const Weights &, int, const HyperParams &given) { return given; }

RefTensor reference(const Tensor &coeff, const Weights &, const HyperParams &) {
    auto out = ref::rows(coeff);
    for (auto &sample : out) sample = ref::sigmoid(sample);
    return ref::from_rows(out);
}

TorchShape input_shape(const TorchShape &x, const HyperParams &hp) { return {x[0], hp.num_basis}; }

}  // namespace

extern const ModuleSpec sigmoid_spec;
const ModuleSpec sigmoid_spec = {
    .name = "sigmoid",
    .title = "Sigmoid",
    .formula = "coeff.sigmoid(): coeff [N, B] -> [N, B]",
    .uses = uses_num_basis,
    .defaults = {.num_basis = 8},
    .weights = weights,
    .implied = implied,
    .reference = reference,
    .input_shape = input_shape,
};

}  // namespace prcm
