// Global average pool, from notebook 001 §5: ctx = x.mean(dim=[2, 3]).
#include "component_math.h"

namespace prcm {
namespace {

std::vector<WeightSpec> weights(int, const HyperParams &) { return {}; }

HyperParams implied(const Weights &, int, const HyperParams &given) { return given; }

RefTensor reference(const Tensor &x, const Weights &, const HyperParams &) {
    return ref::from_rows(ref::plane_means(x));
}

TorchShape output_shape(const TorchShape &x, int, const HyperParams &) { return {x[0], x[1]}; }

}  // namespace

extern const ModuleSpec gap_spec;
const ModuleSpec gap_spec = {
    .name = "gap",
    .title = "Global Avg Pool",
    .formula = "ctx = x.mean(dim=[2, 3]): x [N, C, H, W] -> ctx [N, C]",
    .uses = 0,
    .defaults = {},
    .weights = weights,
    .implied = implied,
    .reference = reference,
    .output_shape = output_shape,
};

}  // namespace prcm
