// PRCM_AdaptivePool, from notebook 000 §3 (not a modulator: the output is the transform):
//   out = F.adaptive_avg_pool2d(x, (ps, ps)) if H >= ps and W >= ps, else x
//   out = conv2(relu(conv1(out)))       1x1 convolutions without bias, hidden C * r
//   return F.interpolate(out, size=(H, W), mode='bilinear', align_corners=True)
#include "library_arguments.h"
#include "reference_math.h"

#include <algorithm>
#include <cstdint>

namespace prcm {
namespace {

std::vector<WeightSpec> weights(int channels, const HyperParams &hp) {
    const int hidden = channels * hp.expansion;
    return {
        {"conv1.weight", {hidden, channels, 1, 1}, Init::fan_in},
        {"conv2.weight", {channels, hidden, 1, 1}, Init::fan_in},
    };
}

// The expansion from conv1's width; the pool size is no weight's: it stays as given.
HyperParams implied(const Weights &w, int channels, const HyperParams &given) {
    HyperParams hp = given;
    hp.expansion = channels > 0 ? torch_extent(w, "conv1.weight", 0) / channels : 0;
    return hp;
}

// adaptive_avg_pool2d's bin i of `bins` over an axis of `size`, in int64 as PyTorch:
// [floor(i * size / bins), ceil((i + 1) * size / bins)).
int bin_start(int i, int size, int bins) { return int(int64_t(i) * size / bins); }
int bin_end(int i, int size, int bins) { return int(((int64_t(i) + 1) * size + bins - 1) / bins); }

// F.interpolate(align_corners=True): output index d of `out` reads the source at
// d * (in - 1) / (out - 1), at 0 when out == 1.
struct Taps {
    int lower, upper;
    double weight;  // of the upper one
};
Taps taps(int d, int in, int out) {
    const double source = out > 1 ? double(d) * (in - 1) / (out - 1) : 0.0;
    const int lower = std::min(int(source), in - 1);
    // torch's upsample_bilinear2d: an axis whose size does not change reads one pixel twice.
    const int upper = in == out ? lower : std::min(lower + 1, in - 1);
    return {lower, upper, source - lower};
}

RefTensor reference(const Tensor &x, const Weights &w, const HyperParams &hp) {
    const int W = x.dim(0).extent(), H = x.dim(1).extent(), C = x.dim(2).extent(), N = x.dim(3).extent();
    const int ps = hp.pool_size;
    const bool pool = H >= ps && W >= ps;
    const int ph = pool ? ps : H, pw = pool ? ps : W;
    // conv weights are torch [out, in, 1, 1], element (0, 0, in, out) here; copied
    // as [in][out] so that the inner loops run along the output channels.
    const Tensor &conv1 = w.at("conv1.weight"), &conv2 = w.at("conv2.weight");
    const int hidden = conv1.dim(3).extent();
    std::vector<double> w1(size_t(C) * hidden), w2(size_t(hidden) * C);
    for (int k = 0; k < hidden; k++)
        for (int c = 0; c < C; c++) {
            w1[size_t(c) * hidden + k] = conv1(0, 0, c, k);
            w2[size_t(k) * C + c] = conv2(0, 0, k, c);
        }

    RefTensor out({N, C, H, W});
    for (int n = 0; n < N; n++) {
        // small[a][b][c]: the pooled map (or x itself), then the convolutions' result.
        std::vector<double> small(size_t(ph) * pw * C);
        for (int c = 0; c < C; c++)
            for (int a = 0; a < ph; a++)
                for (int b = 0; b < pw; b++) {
                    double value = x(b, a, c, n);
                    if (pool) {
                        const int top = bin_start(a, H, ph), bottom = bin_end(a, H, ph);
                        const int left = bin_start(b, W, pw), right = bin_end(b, W, pw);
                        double sum = 0;
                        for (int h = top; h < bottom; h++)
                            for (int col = left; col < right; col++) sum += x(col, h, c, n);
                        value = sum / (double(bottom - top) * (right - left));
                    }
                    small[(size_t(a) * pw + b) * C + c] = value;
                }
        std::vector<double> act(hidden), res(C);
        for (size_t pixel = 0; pixel < size_t(ph) * pw; pixel++) {
            double *v = &small[pixel * C];
            std::fill(act.begin(), act.end(), 0.0);
            for (int c = 0; c < C; c++)
                for (int k = 0; k < hidden; k++) act[k] += w1[size_t(c) * hidden + k] * v[c];
            std::fill(res.begin(), res.end(), 0.0);
            for (int k = 0; k < hidden; k++) {
                const double a = std::max(act[k], 0.0);
                for (int c = 0; c < C; c++) res[c] += w2[size_t(k) * C + c] * a;
            }
            std::copy(res.begin(), res.end(), v);
        }
        auto at = [&](int a, int b, int c) { return small[(size_t(a) * pw + b) * C + c]; };
        for (int c = 0; c < C; c++)
            for (int h = 0; h < H; h++) {
                const Taps ty = taps(h, ph, H);
                for (int col = 0; col < W; col++) {
                    const Taps tx = taps(col, pw, W);
                    const double lower_row =
                        (1 - tx.weight) * at(ty.lower, tx.lower, c) + tx.weight * at(ty.lower, tx.upper, c);
                    const double upper_row =
                        (1 - tx.weight) * at(ty.upper, tx.lower, c) + tx.weight * at(ty.upper, tx.upper, c);
                    out.at(n, c, h, col) = (1 - ty.weight) * lower_row + ty.weight * upper_row;
                }
            }
    }
    return out;
}

}  // namespace

extern const ModuleSpec prcm_adaptive_pool_spec;
const ModuleSpec prcm_adaptive_pool_spec = {
    .name = "prcm_adaptive_pool",
    .title = "PRCM_AdaptivePool",
    .formula = "bilinear_align_corners(conv2(relu(conv1(adaptive_avg_pool(x, ps)))), H, W); not a modulator",
    .uses = uses_expansion | uses_pool_size,
    .defaults = {.expansion = 2, .pool_size = 2},
    .weights = weights,
    .implied = implied,
    .reference = reference,
    .scalar_argument = transforms::adaptive_pool_scalar_argument,
};

}  // namespace prcm
