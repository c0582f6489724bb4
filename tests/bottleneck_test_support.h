// What the two inverted-bottleneck tests share: weights whose BatchNorms are the
// identity (running_var + eps == 1), so a test sets only the convolutions it
// reasons about, and accessors in PyTorch index order.
#pragma once

#include "test_support.h"

#include <string>

namespace prcm::test {

inline Weights identity_bottleneck(const char *module, int channels, int expansion, int kernel_size) {
    HyperParams hp;
    hp.expansion = expansion;
    hp.kernel_size = kernel_size;
    Weights w;
    for (const WeightSpec &s : module_named(module).spec->weights(channels, hp)) {
        Tensor t = make_tensor(s.shape);
        const bool batch_norm = s.name.starts_with("bn");
        if (batch_norm && s.name.ends_with(".weight")) t.fill(1.0f);
        if (batch_norm && s.name.ends_with(".running_var")) t.fill(1.0f - 1e-5f);
        w.emplace(s.name, std::move(t));
    }
    return w;
}

// dw_conv.weight[c, 0, ky, kx]
inline float &dw_tap(Weights &w, int c, int ky, int kx) { return w.at("dw_conv.weight")(kx, ky, 0, c); }

// A 1x1 conv's weight[out, in, 0, 0] ("expand.weight" or "project.weight").
inline float &conv1x1(Weights &w, const std::string &name, int out, int in) { return w.at(name)(0, 0, in, out); }

}  // namespace prcm::test
