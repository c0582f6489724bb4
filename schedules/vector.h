// The schedules of a per-sample vector (k, n): a few hundred operations at most,
// shared by every channel modulator's tiny stages and the vector component kernels.
#pragma once

#include "Halide.h"
#include "generators/component.h"
#include "schedules/knobs.h"

namespace prcm {

// The name of schedule_vector_gpu's thread loop, for stages computed inside each thread.
constexpr const char *kGpuThreadVar = "ki";
// The name of schedule_vector_in_block's innermost loop, over a thread's elements (one an
// iteration): a stage computed there is one element, held in a register.
constexpr const char *kGpuElementVar = "ko";

// One core, vectorized along k: waking a thread pool would cost more than the work.
// `at` is where it is computed: root, or per sample inside the pass that reads it.
void schedule_vector_cpu(Halide::Func f, int lanes, const Halide::LoopLevel &at = Halide::LoopLevel::root(),
                         Halide::TailStrategy tail = Halide::TailStrategy::GuardWithIf);
// A pipeline's output vector, which cannot be rounded up: its last vector shifted inwards
// (recomputing a few elements); fewer elements than a vector in narrower vectors, and
// fewer than 4 one at a time.
void schedule_output_vector_cpu(Halide::Func output, int lanes);
// One thread per element, `threads` along k per block, a column of blocks per n.
void schedule_vector_gpu(Halide::Stage stage, const Halide::Var &k, const Halide::Var &n, int threads);
// A stage computed per block of a kernel whose blocks are block_width x block_height
// threads: k spread over all of them, in that shape (one thread loop of the block's
// size would widen the block). Its innermost thread loop is named kGpuThreadVar, and the
// loop inside it, over the thread's elements, kGpuElementVar.
void schedule_vector_in_block(Halide::Stage stage, const Halide::Var &k, int block_width, int block_height);

// A reduction f of three dimensions (x, y, z) in a kernel of its own, one block per
// element, f computed inside it: returns f's copy to global memory, whose single store
// has a unit thread loop. Compute what f reads at LoopLevel(copy, x), the innermost
// block loop: f's zeroing and its update then share one kernel, not two.
Halide::Func schedule_block_per_element(Halide::Func f, const Halide::Var &x, const Halide::Var &y,
                                        const Halide::Var &z);

// The vector kernels (basis_projection, linear, sigmoid): one vector alone.
inline void schedule_vector(VectorStages &s, const Halide::Target &target, const std::string &knobs) {
    if (target.has_gpu_feature()) {
        schedule_vector_gpu(s.output, s.output.args()[0], s.output.args()[1],
                            knobs_for(target, "gpu_vector", knobs).gpu_vector.threads);
    } else {
        schedule_output_vector_cpu(s.output, knobs_for(target, "vector", knobs).vector.lanes);
    }
}

}  // namespace prcm
