// InvertedBottleneck and InvertedBottleneckRes, from notebook 000 §0:
//   out = relu(bn1(dw_conv(x)))      dw_conv: k x k depthwise, padding k // 2, no bias
//   out = relu(bn2(expand(out)))     expand: 1x1, C -> C*r, no bias
//   out = bn3(project(out))          project: 1x1, C*r -> C, no bias
//   (Res: out = out + x)
// BatchNorm in inference mode: (v - running_mean) / sqrt(running_var + 1e-5) * weight + bias.
// What both modules share: their weights, the hyper-parameters those imply and the
// naive reference, which applies BN as written (never folded) so that the folding
// that makes the library's arguments (runtime/transforms/bn_folding.cpp) is verified too.
#pragma once

#include "reference_math.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace prcm::bottleneck {

constexpr double kBatchNormEps = 1e-5;

inline void add_batch_norm(std::vector<WeightSpec> &specs, const std::string &name, int features) {
    specs.push_back({name + ".weight", {features}, Init::positive});
    specs.push_back({name + ".bias", {features}, Init::small});
    specs.push_back({name + ".running_mean", {features}, Init::small, false});
    specs.push_back({name + ".running_var", {features}, Init::positive, false});
}

inline std::vector<WeightSpec> weights(int channels, const HyperParams &hp) {
    const int k = hp.kernel_size, hidden = channels * hp.expansion;
    std::vector<WeightSpec> specs = {{"dw_conv.weight", {channels, 1, k, k}, Init::fan_in}};
    add_batch_norm(specs, "bn1", channels);
    specs.push_back({"expand.weight", {hidden, channels, 1, 1}, Init::fan_in});
    add_batch_norm(specs, "bn2", hidden);
    specs.push_back({"project.weight", {channels, hidden, 1, 1}, Init::fan_in});
    add_batch_norm(specs, "bn3", channels);
    return specs;
}

// k from the depthwise kernel, r from expand's output channels (C*r).
inline HyperParams implied(const Weights &w, int channels, const HyperParams &given) {
    HyperParams hp = given;
    hp.kernel_size = torch_extent(w, "dw_conv.weight", 2);
    hp.expansion = channels > 0 ? torch_extent(w, "expand.weight", 0) / channels : 0;
    return hp;
}

// Per pixel: k*k per channel in the depthwise conv, C*C*r in each 1x1 conv.
inline double multiply_adds(const TorchShape &x, const HyperParams &hp) {
    const double pixels = double(x[0]) * x[2] * x[3], c = x[1];
    return pixels * (c * hp.kernel_size * hp.kernel_size + 2 * c * c * hp.expansion);
}

// One BatchNorm in inference mode, from its four tensors.
struct BatchNorm {
    std::vector<double> gamma, beta, mean, var;
    BatchNorm(const Weights &w, const std::string &name)
        : gamma(values(w.at(name + ".weight"))),
          beta(values(w.at(name + ".bias"))),
          mean(values(w.at(name + ".running_mean"))),
          var(values(w.at(name + ".running_var"))) {}
    static std::vector<double> values(const Tensor &t) {
        std::vector<double> v;
        for (int i = 0; i < t.dim(0).extent(); i++) v.push_back(t(i));
        return v;
    }
    // As forward() applies it (the folded form is runtime/transforms/bn_folding.cpp's).
    double operator()(int i, double v) const {
        return (v - mean[i]) / std::sqrt(var[i] + kBatchNormEps) * gamma[i] + beta[i];
    }
};

// F.relu keeps NaN (`v > 0 ? v : 0` would turn it into 0).
inline double relu(double v) { return std::isnan(v) || v > 0 ? v : 0; }

// A 1x1 conv weight [O, I, 1, 1] as rows over O for each input channel: [I][O].
inline std::vector<std::vector<double>> by_input_channel(const Tensor &weight) {
    const int in = weight.dim(2).extent(), out = weight.dim(3).extent();
    std::vector<std::vector<double>> rows(in, std::vector<double>(out));
    for (int i = 0; i < in; i++)
        for (int o = 0; o < out; o++) rows[i][o] = weight(0, 0, i, o);
    return rows;
}

// Tensors here are dense (make_tensor): a row of a plane is contiguous.
inline RefTensor reference(const Tensor &x, const Weights &w, const HyperParams &hp, bool residual) {
    const int W = x.dim(0).extent(), H = x.dim(1).extent(), C = x.dim(2).extent(), N = x.dim(3).extent();
    const int k = hp.kernel_size, pad = k / 2, hidden = C * hp.expansion;
    const Tensor &dw_weight = w.at("dw_conv.weight");               // [C, 1, k, k]
    const auto expand = by_input_channel(w.at("expand.weight"));    // [C][C*r]
    const auto project = by_input_channel(w.at("project.weight"));  // [C*r][C]
    const BatchNorm bn1(w, "bn1"), bn2(w, "bn2"), bn3(w, "bn3");
    RefTensor out({N, C, H, W});
    std::vector<double> dw(static_cast<size_t>(C) * H * W);  // dw_conv(x) of one sample, [C][H][W]
    std::vector<double> a1(C), a2(hidden), a3(C);
    for (int n = 0; n < N; n++) {
        // Each output sums its k x k taps in (i, j) order; taps outside the plane are the zero padding.
        std::fill(dw.begin(), dw.end(), 0.0);
        for (int c = 0; c < C; c++)
            for (int h = 0; h < H; h++) {
                double *out_row = &dw[(static_cast<size_t>(c) * H + h) * W];
                for (int i = 0; i < k; i++) {
                    const int hy = h + i - pad;
                    if (hy < 0 || hy >= H) continue;
                    const float *in_row = &x(0, hy, c, n);
                    for (int j = 0; j < k; j++) {
                        const double tap = dw_weight(j, i, 0, c);
                        for (int col = std::max(0, pad - j); col < std::min(W, W + pad - j); col++) {
                            out_row[col] += in_row[col + j - pad] * tap;
                        }
                    }
                }
            }
        for (int h = 0; h < H; h++)
            for (int col = 0; col < W; col++) {
                for (int c = 0; c < C; c++) a1[c] = relu(bn1(c, dw[(static_cast<size_t>(c) * H + h) * W + col]));
                // Each 1x1 conv accumulates over its input channels in order, all outputs at once.
                std::fill(a2.begin(), a2.end(), 0.0);
                for (int c = 0; c < C; c++)
                    for (int o = 0; o < hidden; o++) a2[o] += expand[c][o] * a1[c];
                for (int o = 0; o < hidden; o++) a2[o] = relu(bn2(o, a2[o]));
                std::fill(a3.begin(), a3.end(), 0.0);
                for (int o = 0; o < hidden; o++)
                    for (int c = 0; c < C; c++) a3[c] += project[o][c] * a2[o];
                for (int c = 0; c < C; c++) out.at(n, c, h, col) = bn3(c, a3[c]) + (residual ? x(col, h, c, n) : 0.0);
            }
    }
    return out;
}

}  // namespace prcm::bottleneck
