// InvertedBottleneckRes, from notebook 000 §0: InvertedBottleneck's output plus x.
// Weights and the reference are shared with InvertedBottleneck (inverted_bottleneck.h), the
// BatchNorm folding that makes the library's arguments too (runtime/transforms/bn_folding.cpp).
#include "inverted_bottleneck.h"
#include "library_arguments.h"

namespace prcm {
namespace {

RefTensor reference(const Tensor &x, const Weights &w, const HyperParams &hp) {
    return bottleneck::reference(x, w, hp, /*residual=*/true);
}

}  // namespace

extern const ModuleSpec inverted_bottleneck_res_spec;
const ModuleSpec inverted_bottleneck_res_spec = {
    .name = "inverted_bottleneck_res",
    .title = "InvertedBottleneckRes",
    .formula = "x + bn3(project(relu(bn2(expand(relu(bn1(dw_conv_kxk(x))))))))",
    .uses = uses_expansion | uses_kernel_size,
    .defaults = {.expansion = 2, .kernel_size = 7},
    .weights = bottleneck::weights,
    .implied = bottleneck::implied,
    .reference = reference,
    .library_arguments = transforms::fold_bottleneck_batch_norms,
    .multiply_adds = bottleneck::multiply_adds,
};

}  // namespace prcm
