// The schedules of a per-sample vector (k, n): a few hundred operations at most,
// shared by every channel modulator's tiny stages and the vector component kernels.
#pragma once

#include "Halide.h"

namespace prcm {

// Threads per block along one axis: a warp on CUDA; only portable directives.
constexpr int kGpuThreads = 32;
// The name of schedule_vector_gpu's thread loop, for stages computed inside each thread.
constexpr const char *kGpuThreadVar = "ki";

// One core, vectorized along k: waking a thread pool would cost more than the work.
// `at` is where it is computed: root, or per sample inside the pass that reads it.
void schedule_vector_cpu(Halide::Func f, const Halide::Target &target,
                         const Halide::LoopLevel &at = Halide::LoopLevel::root());
// One thread per element, kGpuThreads along k per block, a column of blocks per n.
void schedule_vector_gpu(Halide::Stage stage, const Halide::Var &k, const Halide::Var &n);

}  // namespace prcm
