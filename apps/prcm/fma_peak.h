// The machine's measured floating-point peak, to read a compute-bound block's GFLOP/s against.
#pragma once

#include <string>

namespace prcm::cli {

struct FmaPeak {
    double gflops = 0;  // float32 FLOP/s of all `threads` together, an FMA counted as 2
    std::string isa;    // the widest FMA the CPU has: "AVX-512", "AVX2", or "" when not measured
};

// Runs independent FMA chains on `threads` threads at once for a few tens of milliseconds.
FmaPeak measure_fma_peak(int threads);

}  // namespace prcm::cli
