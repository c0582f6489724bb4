// What the project knows about a block, independent of how it was compiled:
// its weights under their PyTorch state_dict names, its hyper-parameters, and
// its naive reference. Each module's spec lives in runtime/reference/<module>.cpp.
#pragma once

#include "prcm/status.h"
#include "prcm/tensor.h"

#include <map>
#include <string>
#include <vector>

namespace prcm {

// Hyper-parameters a user may give; those that weights imply are checked against them.
struct HyperParams {
    int num_basis = 8;
};

// How the seeded generator fills a weight, after the PyTorch initialiser it stands for.
enum class Init {
    normal,  // torch.randn: basis
    linear,  // nn.Linear's uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = last dim
};

struct WeightSpec {
    std::string name;  // PyTorch state_dict key, e.g. "fuser.weight"
    TorchShape shape;  // PyTorch shape
    Init init = Init::linear;
};

using Weights = std::map<std::string, Tensor>;

struct ModuleSpec {
    const char *name;     // CLI name, snake_case: "affine_prcm"
    const char *title;    // the notebooks' class name: "AffinePRCM"
    const char *formula;  // one line of what forward() computes
    // The weights a block of `channels` channels has for these hyper-parameters.
    std::vector<WeightSpec> (*weights)(int channels, const HyperParams &hp);
    // The hyper-parameters that a complete set of weights implies.
    HyperParams (*implied)(const Weights &weights);
    // Plain loops from the notebook's forward(), accumulating in double.
    RefTensor (*reference)(const Tensor &input, const Weights &weights);
};

// PyTorch count_params: the number of elements over every weight.
long long parameter_count(const ModuleSpec &spec, int channels, const HyperParams &hp);

// Extent of a weight along a torch axis, or 0 when it lacks that axis: the
// implied() functions read shapes before they are checked.
int torch_extent(const Weights &weights, const std::string &name, int torch_axis);

// A weight's name as a Halide argument: "fuser.weight" -> "fuser_weight".
std::string argument_name(const std::string &weight_name);

// Every weight present, none extra, each of the shape the input's channels and
// the implied hyper-parameters require. On success `hp` holds those hyper-parameters.
Status check_weights(const ModuleSpec &spec, int channels, const Weights &weights, HyperParams *hp);

}  // namespace prcm
