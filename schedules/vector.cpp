#include "schedules/vector.h"

namespace prcm {

using namespace Halide;

void schedule_vector_cpu(Func f, int lanes, const LoopLevel &at, TailStrategy tail) {
    f.compute_at(at).vectorize(f.args()[0], lanes, tail);
}

void schedule_output_vector_cpu(Func output, int lanes) {
    const Var k = output.args()[0];
    const Expr extent = output.output_buffer().dim(0).extent();
    // The widest vector that fits, down to 4 lanes.
    // Measured 2026-12-04, Intel Xeon VM, AVX-512, 1 thread, medians of 5 interleaved rounds:
    // basis_projection (B = 8 outputs) at 8x256x8x8 took 0.021 ms as one 16-lane vector under
    // a mask, 0.039 one output at a time, 0.0055 as a vector of 8; 1x64x64x64 0.0007 -> 0.0002.
    // linear and sigmoid level.
    for (int width = lanes; width >= 4; width /= 2) {
        output.specialize(extent >= width).vectorize(k, width, TailStrategy::ShiftInwards);
    }
}

void schedule_vector_gpu(Stage stage, const Var &k, const Var &n, int threads) {
    Var ko("ko"), ki(kGpuThreadVar);
    stage.split(k, ko, ki, threads, TailStrategy::GuardWithIf).gpu_blocks(ko, n).gpu_threads(ki);
}

Func schedule_block_per_element(Func f, const Var &x, const Var &y, const Var &z) {
    Func copy = f.in();
    Var one("one");
    copy.compute_root().split(x, x, one, 1).reorder(one, x, y, z).gpu_blocks(x, y, z).gpu_threads(one);
    f.compute_at(copy, one);
    return copy;
}

void schedule_vector_in_block(Stage stage, const Var &k, int block_width, int block_height) {
    Var ko(kGpuElementVar), k_in_block("k_in_block"), kx(kGpuThreadVar), ky("ky");
    stage.split(k, ko, k_in_block, block_width * block_height, TailStrategy::GuardWithIf)
        .split(k_in_block, ky, kx, block_width)
        .reorder(ko, kx, ky)
        .gpu_threads(kx, ky);
}

}  // namespace prcm
