// Linear, from notebook 001 §5: fuser(coeff), fuser = nn.Linear(B, C, bias=False),
// on coeff [N, B]. Its C is the weight's: the input does not have it.
#include "component_math.h"

namespace prcm {
namespace {

std::vector<WeightSpec> weights(int channels, const HyperParams &hp) {
    return {{"weight", {channels, hp.num_basis}, Init::fan_in}};
}

HyperParams implied(const Weights &w, int, const HyperParams &given) {
    HyperParams hp = given;
    hp.num_basis = torch_extent(w, "weight", 1);
    return hp;
}

RefTensor reference(const Tensor &coeff, const Weights &w, const HyperParams &) {
    std::vector<std::vector<double>> out;
    for (const auto &sample : ref::rows(coeff)) out.push_back(ref::linear(w.at("weight"), sample));
    return ref::from_rows(out);
}

TorchShape input_shape(const TorchShape &x, const HyperParams &hp) { return {x[0], hp.num_basis}; }
TorchShape output_shape(const TorchShape &coeff, int channels, const HyperParams &) { return {coeff[0], channels}; }
int channels_of(const TorchShape &, const Weights &w) { return torch_extent(w, "weight", 0); }

}  // namespace

extern const ModuleSpec linear_spec;
const ModuleSpec linear_spec = {
    .name = "linear",
    .title = "Linear",
    .formula = "fuser(coeff), fuser = nn.Linear(B, C, bias=False): coeff [N, B] -> [N, C]",
    .uses = uses_num_basis,
    .defaults = {.num_basis = 8},
    .weights = weights,
    .implied = implied,
    .reference = reference,
    .input_shape = input_shape,
    .output_shape = output_shape,
    .channels_of = channels_of,
};

}  // namespace prcm
