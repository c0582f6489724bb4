// InvertedBottleneck, from notebook 000 §0: bn3(project(relu(bn2(expand(relu(bn1(dw_conv(x)))))))).
// Weights and the reference are shared with the residual variant (inverted_bottleneck.h), the
// BatchNorm folding that makes the library's arguments too (runtime/transforms/bn_folding.cpp).
#include "inverted_bottleneck.h"
#include "library_arguments.h"

namespace prcm {
namespace {

RefTensor reference(const Tensor &x, const Weights &w, const HyperParams &hp) {
    return bottleneck::reference(x, w, hp, /*residual=*/false);
}

}  // namespace

extern const ModuleSpec inverted_bottleneck_spec;
const ModuleSpec inverted_bottleneck_spec = {
    .name = "inverted_bottleneck",
    .title = "InvertedBottleneck",
    .formula = "bn3(project(relu(bn2(expand(relu(bn1(dw_conv_kxk(x))))))))",
    .uses = uses_expansion | uses_kernel_size,
    .defaults = {.expansion = 2, .kernel_size = 7},
    .weights = bottleneck::weights,
    .implied = bottleneck::implied,
    .reference = reference,
    .library_arguments = transforms::fold_bottleneck_batch_norms,
    .multiply_adds = bottleneck::multiply_adds,
};

}  // namespace prcm
