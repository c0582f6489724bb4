// What the project knows about a block, independent of how it was compiled:
// its weights under their PyTorch state_dict names, its hyper-parameters, the
// shapes it maps, and its naive reference. Each module's spec lives in
// runtime/reference/<module>.cpp.
#pragma once

#include "prcm/status.h"
#include "prcm/tensor.h"

#include <map>
#include <string>
#include <vector>

namespace prcm {

// Every hyper-parameter of every block; a module reads the ones it `uses`.
struct HyperParams {
    int num_basis = 8;    // B: PRCM family
    int reduction = 4;    // SE: hidden = C // reduction
    int expansion = 4;    // PRCM_SE family, PRCM_AdaptivePool, InvertedBottleneck: hidden = C * r (B * r)
    int pool_size = 2;    // PRCM_AdaptivePool: a runtime input of its library
    int kernel_size = 7;  // InvertedBottleneck: the depthwise kernel
};

// Which hyper-parameters a module reads (a bit set over HyperParams' fields).
enum Uses : unsigned {
    uses_num_basis = 1u << 0,
    uses_reduction = 1u << 1,
    uses_expansion = 1u << 2,
    uses_pool_size = 1u << 3,
    uses_kernel_size = 1u << 4,
};

// The one list of the hyper-parameters, in HyperParams' order. The CLI's flags and
// their help, the checks of a given value, the awkward-shape grid, the replay lines
// (hyper_flags) and the results files all read it; the values a module starts from are its spec's
// `defaults` (the notebook constructor's), the others HyperParams' initializers.
struct HyperParamInfo {
    const char *name;        // "num_basis": the API's field
    const char *flag;        // "--num-basis"
    const char *short_flag;  // "-b", or "" for none
    unsigned use;            // the module's `uses` bit
    int HyperParams::*field;
    const char *help;     // what it means, for --help
    bool from_weights;    // whether a set of weights implies it (pool_size: no)
    const char *odd_why;  // why it must be odd, or nullptr
    // The awkward-shape grid's values (verify.cpp): problem i takes
    // awkward[(i / awkward_stride) % awkward.size()].
    std::vector<int> awkward;
    int awkward_stride;
};
const std::vector<HyperParamInfo> &hyper_param_table();

// How the seeded generator fills a tensor, after the PyTorch initialiser it stands for.
enum class Init {
    normal,    // torch.randn (inputs, basis)
    fan_in,    // nn.Linear / nn.Conv2d weight: uniform(+-1/sqrt(fan_in)), fan_in = all dims but the first
    small,     // biases, BN shifts and running means: normal * 0.1
    positive,  // BN scales and running variances: uniform(0.5, 1.5)
};

struct WeightSpec {
    std::string name;  // PyTorch state_dict key, e.g. "fuser.weight"
    TorchShape shape;  // PyTorch shape
    Init init = Init::fan_in;
    bool parameter = true;  // counted by count_params (BN running statistics are buffers)
};

using Weights = std::map<std::string, Tensor>;

struct ModuleSpec {
    const char *name;      // CLI name, snake_case: "affine_prcm"
    const char *title;     // the notebooks' class name: "AffinePRCM"
    const char *formula;   // one line of what forward() computes
    unsigned uses;         // the hyper-parameters it reads (Uses)
    HyperParams defaults;  // the notebook constructor's defaults
    // The weights a block of `channels` channels has for these hyper-parameters.
    std::vector<WeightSpec> (*weights)(int channels, const HyperParams &hp);
    // The hyper-parameters a complete set of weights implies, starting from `given`
    // (weights cannot say everything: SE's reduction only through C // r).
    HyperParams (*implied)(const Weights &weights, int channels, const HyperParams &given);
    // Plain loops from the notebook's forward(), accumulating in double.
    RefTensor (*reference)(const Tensor &input, const Weights &weights, const HyperParams &hp);
    // Optional (nullptr: identity). The input this block takes when the experiment's
    // tensor is x [N, C, H, W] (a component kernel takes ctx [N, C], say), and its output,
    // given the C that sizes the weights (a Linear's out_features is not in its input).
    TorchShape (*input_shape)(const TorchShape &x, const HyperParams &hp) = nullptr;
    TorchShape (*output_shape)(const TorchShape &input, int channels, const HyperParams &hp) = nullptr;
    // Optional (nullptr: the weights as they are). The library's arguments from checked
    // weights, e.g. BatchNorm folded into the convolutions (runtime/transforms/).
    Weights (*library_arguments)(const Weights &weights, const HyperParams &hp) = nullptr;
    // Optional: the scalar arguments of the library by name (e.g. pool_size; runtime/transforms/).
    int (*scalar_argument)(const std::string &name, const HyperParams &hp) = nullptr;
    // Optional (nullptr: torch axis 1 of the input). The C that sizes the weights.
    int (*channels_of)(const TorchShape &input, const Weights &weights) = nullptr;
    // Optional (nullptr: cheap): the multiply-adds one forward of x takes. An expensive
    // block's naive reference (and its PoCL run) would take minutes over the awkward grid,
    // so awkward_problems keeps each of its cases within a budget by shrinking C.
    double (*multiply_adds)(const TorchShape &x, const HyperParams &hp) = nullptr;
};

int module_channels(const ModuleSpec &spec, const TorchShape &input, const Weights &weights);

TorchShape module_input_shape(const ModuleSpec &spec, const TorchShape &x, const HyperParams &hp);
TorchShape module_output_shape(const ModuleSpec &spec, const TorchShape &input, int channels, const HyperParams &hp);

// PyTorch count_params: the elements of every parameter (BN buffers excluded).
long long parameter_count(const ModuleSpec &spec, int channels, const HyperParams &hp);

// Extent of a weight along a torch axis, or 0 when it is absent or lacks that axis:
// the implied() functions read shapes before they are checked.
int torch_extent(const Weights &weights, const std::string &name, int torch_axis);

// A weight's name as a Halide argument: "fuser.weight" -> "fuser_weight".
std::string argument_name(const std::string &weight_name);

// Every weight present and none extra, by name alone (the message lists the names).
Status check_weight_names(const ModuleSpec &spec, const Weights &weights, const HyperParams &hp);

// Every weight present, none extra, each of the shape that the input's channels
// and the implied hyper-parameters require. On success `hp` holds those.
Status check_weights(const ModuleSpec &spec, int channels, const Weights &weights, HyperParams *hp);

// The flags that set a module's hyper-parameters, for replay lines: " --num-basis 8".
std::string hyper_flags(const ModuleSpec &spec, const HyperParams &hp);

}  // namespace prcm
