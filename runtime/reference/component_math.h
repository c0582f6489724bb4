// Helpers for the references of the component kernels (notebook 001 §5), whose
// tensors are per-sample vectors [N, K] and per-channel tensors [1, C, 1, 1].
#pragma once

#include "reference_math.h"

namespace prcm::ref {

// A 2-D torch tensor [N, K] -> [N][K]
inline std::vector<std::vector<double>> rows(const Tensor &t) {
    const int N = t.dim(1).extent(), K = t.dim(0).extent();
    std::vector<std::vector<double>> r(N, std::vector<double>(K));
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++) r[n][k] = at2(t, n, k);
    return r;
}

// [N][K] -> a torch tensor [N, K]
inline RefTensor from_rows(const std::vector<std::vector<double>> &r) {
    const int N = static_cast<int>(r.size()), K = N ? static_cast<int>(r[0].size()) : 0;
    RefTensor out({N, K});
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++) out.data[static_cast<size_t>(n) * K + k] = r[n][k];
    return out;
}

// A torch [1, C, 1, 1] tensor broadcast over a batch of N -> [N][C]
inline std::vector<std::vector<double>> broadcast_channels(const Tensor &t, int N) {
    std::vector<double> per_channel(t.dim(2).extent());
    for (size_t c = 0; c < per_channel.size(); c++) per_channel[c] = t(0, 0, c, 0);
    return std::vector<std::vector<double>>(N, per_channel);
}

}  // namespace prcm::ref
