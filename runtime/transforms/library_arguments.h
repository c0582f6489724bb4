// The production side of the modules: what turns a block's PyTorch weights, once
// checked against its spec, into what its generated Halide library is called with.
// The ModuleSpecs (runtime/reference/<module>.cpp) point their library_arguments and
// scalar_argument here, and run.cpp's prepare_call and bind call them for every call.
// A module without an entry here hands its library the weights as they are.
//
// The naive references use nothing of this and this uses nothing of them: a
// reference computes from the weights as PyTorch holds them (BatchNorm applied as
// written, SE's hidden width 0 left empty), so --verify checks these transforms too.
#pragma once

#include "prcm/module.h"

#include <string>

namespace prcm::transforms {

// InvertedBottleneck and InvertedBottleneckRes (bn_folding.cpp): each conv with the
// BatchNorm after it folded in, as dw_conv/expand/project .weight and .bias.
Weights fold_bottleneck_batch_norms(const Weights &weights, const HyperParams &hp);

// SE_Module (se_padding.cpp): a hidden width of 0 padded to one all-zero unit.
Weights pad_se_empty_hidden(const Weights &weights, const HyperParams &hp);

// PRCM_AdaptivePool (scalar_arguments.cpp): its library's int32 scalar arguments by name.
int adaptive_pool_scalar_argument(const std::string &name, const HyperParams &hp);

}  // namespace prcm::transforms
