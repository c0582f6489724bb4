#include "fma_peak.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace prcm::cli {

namespace {

using Clock = std::chrono::steady_clock;

#if defined(__x86_64__)
// Twelve independent chains hide the FMA latency (4 cycles) on two FMA ports.
#define PRCM_FMA_CHAINS(V, SET, FMA, ADD, LANES)                                                              \
    V a0 = SET(0), a1 = SET(1), a2 = SET(2), a3 = SET(3), a4 = SET(4), a5 = SET(5), a6 = SET(6), a7 = SET(7); \
    V a8 = SET(8), a9 = SET(9), a10 = SET(10), a11 = SET(11);                                                 \
    const V m = SET(0.999f), b = SET(0.001f);                                                                 \
    for (long k = 0; k < iterations; k++) {                                                                   \
        a0 = FMA(a0, m, b), a1 = FMA(a1, m, b), a2 = FMA(a2, m, b), a3 = FMA(a3, m, b);                       \
        a4 = FMA(a4, m, b), a5 = FMA(a5, m, b), a6 = FMA(a6, m, b), a7 = FMA(a7, m, b);                       \
        a8 = FMA(a8, m, b), a9 = FMA(a9, m, b), a10 = FMA(a10, m, b), a11 = FMA(a11, m, b);                   \
    }                                                                                                         \
    V sum = ADD(ADD(ADD(a0, a1), ADD(a2, a3)), ADD(ADD(a4, a5), ADD(a6, a7)));                                \
    sum = ADD(sum, ADD(ADD(a8, a9), ADD(a10, a11)));                                                          \
    float lanes[LANES];                                                                                       \
    std::copy_n(reinterpret_cast<const float *>(&sum), LANES, lanes);                                         \
    *sink = lanes[0];                                                                                         \
    return 12.0 * 2 * LANES * iterations;

__attribute__((target("avx512f"))) double fma_avx512(long iterations, volatile float *sink) {
    PRCM_FMA_CHAINS(__m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps, 16)
}

__attribute__((target("avx2,fma"))) double fma_avx2(long iterations, volatile float *sink) {
    PRCM_FMA_CHAINS(__m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps, 8)
}
#undef PRCM_FMA_CHAINS
#endif

using Kernel = double (*)(long, volatile float *);  // returns the FLOPs it did

// FLOP/s of `threads` threads running `kernel` at once: all their FLOPs over the slowest one's time.
double run_together(Kernel kernel, long iterations, int threads) {
    std::vector<double> seconds(threads), flops(threads);
    std::vector<std::thread> running;
    for (int t = 0; t < threads; t++) {
        running.emplace_back([&, t] {
            volatile float sink;
            const auto start = Clock::now();
            flops[t] = kernel(iterations, &sink);
            seconds[t] = std::chrono::duration<double>(Clock::now() - start).count();
        });
    }
    for (std::thread &t : running) t.join();
    double total = 0;
    for (double f : flops) total += f;
    return total / *std::max_element(seconds.begin(), seconds.end());
}

}  // namespace

FmaPeak measure_fma_peak(int threads) {
    FmaPeak peak;
#if defined(__x86_64__)
    Kernel kernel = nullptr;
    if (__builtin_cpu_supports("avx512f")) {
        kernel = fma_avx512, peak.isa = "AVX-512";
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        kernel = fma_avx2, peak.isa = "AVX2";
    }
    if (!kernel) return peak;
    // About 10 ms a try at AVX-512 rates; the best of three, as the machine may be shared.
    constexpr long kIterations = 4'000'000;
    for (int attempt = 0; attempt < 3; attempt++) {
        peak.gflops = std::max(peak.gflops, run_together(kernel, kIterations, std::max(1, threads)) / 1e9);
    }
#else
    (void)threads;
#endif
    return peak;
}

}  // namespace prcm::cli
