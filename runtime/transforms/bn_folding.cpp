// InvertedBottleneck(Res)'s library arguments: BatchNorm in inference mode,
// (v - running_mean) / sqrt(running_var + 1e-5) * weight + bias, is the affine map
// scale * v + shift, folded into the bias-free conv before it. The naive reference
// (runtime/reference/inverted_bottleneck.h) applies BN as written, never folded.
#include "library_arguments.h"

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace prcm::transforms {
namespace {

// PyTorch's BatchNorm2d default (prcm_kernels.torch.compiled refuses a block with another).
constexpr double kBatchNormEps = 1e-5;

// One BatchNorm as scale * v + shift, from its four tensors.
struct FoldedBatchNorm {
    std::vector<double> gamma, beta, mean, var;
    FoldedBatchNorm(const Weights &w, const std::string &name)
        : gamma(values(w.at(name + ".weight"))),
          beta(values(w.at(name + ".bias"))),
          mean(values(w.at(name + ".running_mean"))),
          var(values(w.at(name + ".running_var"))) {}
    static std::vector<double> values(const Tensor &t) {
        std::vector<double> v;
        for (int i = 0; i < t.dim(0).extent(); i++) v.push_back(t(i));
        return v;
    }
    double scale(int i) const { return gamma[i] / std::sqrt(var[i] + kBatchNormEps); }
    double shift(int i) const { return beta[i] - mean[i] * scale(i); }
};

}  // namespace

// Each conv with the BN after it folded in, named as the weight and bias of the fused
// conv (torch.nn.utils.fusion.fuse_conv_bn_eval). Row o of a conv weight [O, ...]
// scales by the BN's scale(o); its bias is shift(o).
Weights fold_bottleneck_batch_norms(const Weights &w, const HyperParams &) {
    Weights args;
    const std::pair<const char *, const char *> convs[] = {{"dw_conv", "bn1"}, {"expand", "bn2"}, {"project", "bn3"}};
    for (const auto &[conv, name] : convs) {
        const FoldedBatchNorm bn(w, name);
        const Tensor &weight = w.at(std::string(conv) + ".weight");
        Tensor folded = make_tensor(torch_shape(weight));
        const int out_axis = weight.dimensions() - 1;  // torch axis 0
        folded.for_each_element(
            [&](const int *pos) { folded(pos) = static_cast<float>(weight(pos) * bn.scale(pos[out_axis])); });
        const int outputs = weight.dim(out_axis).extent();
        Tensor bias = make_tensor({outputs});
        for (int o = 0; o < outputs; o++) bias(o) = static_cast<float>(bn.shift(o));
        args.emplace(std::string(conv) + ".weight", std::move(folded));
        args.emplace(std::string(conv) + ".bias", std::move(bias));
    }
    return args;
}

}  // namespace prcm::transforms
