// SE_Module, from notebook 001 §1:
//   fc1 = nn.Linear(C, C // r); fc2 = nn.Linear(C // r, C)   (both with bias)
//   ctx = x.mean(dim=[2, 3]); w = fc2(F.relu(fc1(ctx))).sigmoid(); return x * w
// When C < r the hidden width is 0: fc1 yields an empty vector and w = sigmoid(fc2.bias).
#include "library_arguments.h"
#include "reference_math.h"

#include <algorithm>

namespace prcm {
namespace {

std::vector<WeightSpec> weights(int channels, const HyperParams &hp) {
    const int hidden = channels / hp.reduction;
    return {
        {"fc1.weight", {hidden, channels}, Init::fan_in},
        {"fc1.bias", {hidden}, Init::small},
        {"fc2.weight", {channels, hidden}, Init::fan_in},
        {"fc2.bias", {channels}, Init::small},
    };
}

// The weights give only C // r: keep the given r when it fits, else take the
// largest r that could (C // r falls as r grows); a hidden width no r gives is
// then reported by the shape check.
HyperParams implied(const Weights &w, int channels, const HyperParams &given) {
    HyperParams hp = given;
    const int hidden = torch_extent(w, "fc1.weight", 0);
    if (given.reduction >= 1 && channels / given.reduction == hidden) return hp;
    hp.reduction = hidden > 0 ? std::max(1, channels / hidden) : channels + 1;
    return hp;
}

RefTensor reference(const Tensor &x, const Weights &w, const HyperParams &) {
    const auto ctx = ref::plane_means(x);
    std::vector<std::vector<double>> scale, shift;
    for (const auto &sample : ctx) {
        std::vector<double> hidden = ref::relu(ref::linear(w.at("fc1.weight"), w.at("fc1.bias"), sample));
        std::vector<double> gate = ref::sigmoid(ref::linear(w.at("fc2.weight"), w.at("fc2.bias"), hidden));
        scale.push_back(gate);
        shift.emplace_back(gate.size(), 0.0);
    }
    return ref::modulate(x, scale, shift);
}

}  // namespace

extern const ModuleSpec se_spec;
const ModuleSpec se_spec = {
    .name = "se",
    .title = "SE_Module",
    .formula = "x * sigmoid(fc2(relu(fc1(mean_hw(x))))), hidden C // r, with biases",
    .uses = uses_reduction,
    .defaults = {.reduction = 4},
    .weights = weights,
    .implied = implied,
    .reference = reference,
    .library_arguments = transforms::pad_se_empty_hidden,
};

}  // namespace prcm
