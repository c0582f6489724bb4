// Helpers for the naive references: plain loops in double, indexed the way
// PyTorch prints shapes. Shares nothing with the generators on purpose.
#pragma once

#include "prcm/module.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace prcm::ref {

// Element [i][j] of a 2-D torch tensor held in a Halide buffer.
inline double at2(const Tensor &t, int i, int j) { return t(j, i); }

// x.mean(dim=[2, 3]) -> [N][C]
inline std::vector<std::vector<double>> plane_means(const Tensor &x) {
    const int W = x.dim(0).extent(), H = x.dim(1).extent(), C = x.dim(2).extent(), N = x.dim(3).extent();
    std::vector<std::vector<double>> ctx(N, std::vector<double>(C, 0.0));
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++) {
            double s = 0;
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++) s += x(w, h, c, n);
            ctx[n][c] = s / (static_cast<double>(H) * W);
        }
    return ctx;
}

// nn.Linear(in, out, bias=False)(v): weight is torch [out, in].
inline std::vector<double> linear(const Tensor &weight, const std::vector<double> &v) {
    const int out = weight.dim(1).extent(), in = weight.dim(0).extent();
    std::vector<double> r(out, 0.0);
    for (int o = 0; o < out; o++)
        for (int i = 0; i < in; i++) r[o] += at2(weight, o, i) * v[i];
    return r;
}

// nn.Linear(in, out)(v) with its bias [out].
inline std::vector<double> linear(const Tensor &weight, const Tensor &bias, const std::vector<double> &v) {
    std::vector<double> r = linear(weight, v);
    for (size_t o = 0; o < r.size(); o++) r[o] += bias(static_cast<int>(o));
    return r;
}

// F.relu, elementwise; std::max(NaN, 0.0) is NaN, as torch's relu.
inline std::vector<double> relu(std::vector<double> v) {
    for (double &e : v) e = std::max(e, 0.0);
    return v;
}

inline double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

inline std::vector<double> sigmoid(std::vector<double> v) {
    for (double &z : v) z = sigmoid(z);
    return v;
}

// out[n, c, h, w] = x[n, c, h, w] * scale[n][c] + shift[n][c]
inline RefTensor modulate(const Tensor &x, const std::vector<std::vector<double>> &scale,
                          const std::vector<std::vector<double>> &shift) {
    const int W = x.dim(0).extent(), H = x.dim(1).extent(), C = x.dim(2).extent(), N = x.dim(3).extent();
    RefTensor out({N, C, H, W});
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++) out.at(n, c, h, w) = x(w, h, c, n) * scale[n][c] + shift[n][c];
    return out;
}

}  // namespace prcm::ref
