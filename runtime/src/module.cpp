#include "prcm/module.h"

#include <algorithm>
#include <sstream>

namespace prcm {

TorchShape module_input_shape(const ModuleSpec &spec, const TorchShape &x, const HyperParams &hp) {
    return spec.input_shape ? spec.input_shape(x, hp) : x;
}

TorchShape module_output_shape(const ModuleSpec &spec, const TorchShape &input, int channels, const HyperParams &hp) {
    return spec.output_shape ? spec.output_shape(input, channels, hp) : input;
}

int module_channels(const ModuleSpec &spec, const TorchShape &input, const Weights &weights) {
    if (spec.channels_of) return spec.channels_of(input, weights);
    return input.size() > 1 ? input[1] : 0;
}

long long parameter_count(const ModuleSpec &spec, int channels, const HyperParams &hp) {
    long long total = 0;
    for (const WeightSpec &w : spec.weights(channels, hp)) {
        if (!w.parameter) continue;
        long long count = 1;
        for (int e : w.shape) count *= e;
        total += count;
    }
    return total;
}

int torch_extent(const Weights &weights, const std::string &name, int torch_axis) {
    auto it = weights.find(name);
    if (it == weights.end() || torch_axis >= it->second.dimensions()) return 0;
    return it->second.dim(it->second.dimensions() - 1 - torch_axis).extent();
}

std::string argument_name(const std::string &weight_name) {
    std::string s = weight_name;
    std::replace(s.begin(), s.end(), '.', '_');
    return s;
}

Status check_weight_names(const ModuleSpec &spec, const Weights &weights, const HyperParams &hp) {
    std::vector<std::string> names;
    for (const WeightSpec &w : spec.weights(1, hp)) names.push_back(w.name);  // names do not depend on C
    for (const std::string &name : names) {
        if (!weights.count(name)) {
            return Status::error(std::string(spec.title) + ": missing weight '" + name +
                                 "' (its weights: " + join(names) + ")");
        }
    }
    for (const auto &[name, tensor] : weights) {
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            return Status::error(std::string(spec.title) + ": unexpected weight '" + printable(name) +
                                 "' (its weights: " + join(names) + ")");
        }
    }
    return Status::ok();
}

Status check_weights(const ModuleSpec &spec, int channels, const Weights &weights, HyperParams *hp) {
    // Names first: the implied hyper-parameters need every weight to be there.
    if (Status s = check_weight_names(spec, weights, *hp); !s) return s;
    *hp = spec.implied(weights, channels, *hp);
    for (const WeightSpec &w : spec.weights(channels, *hp)) {
        const TorchShape got = torch_shape(weights.at(w.name));
        if (got != w.shape) {
            std::ostringstream msg;
            msg << spec.title << ": weight '" << w.name << "' has shape " << shape_string(got) << ", expected "
                << shape_string(w.shape) << " for an input of " << channels << " channels";
            return Status::error(msg.str());
        }
    }
    return Status::ok();
}

const std::vector<HyperParamInfo> &hyper_param_table() {
    static const std::vector<HyperParamInfo> table = {
        {"num_basis",
         "--num-basis",
         "-b",
         uses_num_basis,
         &HyperParams::num_basis,
         "Number of bases B of the PRCM family",
         true,
         nullptr,
         {1, 4, 8, 32},
         1},
        {"reduction",
         "--reduction",
         "",
         uses_reduction,
         &HyperParams::reduction,
         "SE reduction r: hidden C // r",
         true,
         nullptr,
         {4, 1, 2, 8, 16},
         1},
        {"expansion",
         "--expansion",
         "",
         uses_expansion,
         &HyperParams::expansion,
         "Expansion r: hidden C * r or B * r",
         true,
         nullptr,
         {1, 2, 4},
         1},
        {"pool_size",
         "--pool-size",
         "",
         uses_pool_size,
         &HyperParams::pool_size,
         "PRCM_AdaptivePool output size ps",
         false,
         nullptr,
         {2, 1, 3, 4, 5, 8},
         1},
        // A stride of 3: each kernel size meets every batch size of the grid.
        {"kernel_size",
         "--kernel-size",
         "",
         uses_kernel_size,
         &HyperParams::kernel_size,
         "InvertedBottleneck depthwise kernel k, odd",
         true,
         "with padding k//2 an even kernel changes the output size",
         {3, 5, 7},
         3},
    };
    return table;
}

std::string hyper_flags(const ModuleSpec &spec, const HyperParams &hp) {
    std::ostringstream out;
    for (const HyperParamInfo &h : hyper_param_table())
        if (spec.uses & h.use) out << " " << h.flag << " " << hp.*h.field;
    return out.str();
}

}  // namespace prcm
