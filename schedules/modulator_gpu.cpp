#include "schedules/modulator.h"
#include "schedules/plane_sum.h"
#include "schedules/vector.h"

namespace prcm {

using namespace Halide;

// Two kernels per call, whatever N, C, H, W (Halide's runtimes have no grid-wide
// barrier, so the pool and the output cannot share one):
// 1. the pool's partial sums, one block per (strip of rows, c, n) (plane_sum.cpp);
// 2. one block per (strip of block_rows rows, group of channels, n) of the output: it
//    adds up the partial sums of every channel of its sample, computes the per-sample
//    vectors in shared memory, each stage spread over the block's threads, then
//    streams its rows of its channels, block_width x block_height threads with
//    adjacent x on adjacent threads.
// So the input is read twice and the output written once, the floor of a modulator.
// The vectors are recomputed by every block of a sample, redundantly: per block,
// ceil(H / pool_strip_rows) x C partial sums read (256 at 1x64x64x64, 1,024 at
// 1x64x256x256) and sample_macs multiply-adds (PRCM: C x B = 512 at B = 8; SE: C x C/4
// = 1,024; PRCM_SE and PRCM_SE_Affine at r = 4: C x 4C = 16,384), plus the last layer
// for the block's channels. A block takes as many channels as keep sample_macs within
// sample_macs_per_element per element it streams: one for PRCM and SE at 1x64x64x64
// (256 blocks of 1,024 elements), four for PRCM_SE (64 blocks). The launches and
// work-groups are counted on PoCL by the launch budgets. Measured on an H200 (README
// "Measured on a GPU"): about 20 us a call for PRCM and SE from 1x64x16x16 to 8x64x64x64,
// the floor of two launches and a synchronization (one launch, copy: 10 us); PRCM_SE's
// redundant hidden layer costs it 32 us at 1x64x64x64.
void schedule_modulator_gpu(ModulatorStages &s, const GpuModulatorKnobs &knobs) {
    const Axes &v = s.v;
    _halide_user_assert(s.sample_macs.defined()) << "a modulator must set ModulatorStages::sample_macs\n";
    const Expr streamed = min(s.height, knobs.block_rows) * s.width * knobs.sample_macs_per_element;
    const Expr block_channels = clamp((s.sample_macs + streamed - 1) / streamed, 1, s.channels);
    Var strip("strip"), rows("rows"), row_o("row_o"), row_i("row_i"), xo("xo"), xi("xi");
    Var channel_group("channel_group"), c_in_group("c_in_group");
    s.output.split(v.y, strip, rows, knobs.block_rows, TailStrategy::GuardWithIf)
        .split(rows, row_o, row_i, knobs.block_height)
        .split(v.x, xo, xi, knobs.block_width, TailStrategy::GuardWithIf)
        .split(v.c, channel_group, c_in_group, block_channels, TailStrategy::GuardWithIf)
        .reorder(xo, row_o, c_in_group, xi, row_i, strip, channel_group, v.n)
        .gpu_blocks(strip, channel_group, v.n)
        .gpu_threads(xi, row_i);
    const LoopLevel block(s.output, strip);

    schedule_plane_sum_gpu(s.gap, v, {knobs.pool_lanes, knobs.pool_row_threads, knobs.pool_strip_rows}, block,
                           knobs.block_width, knobs.block_height);

    for (size_t i = 0; i < s.vectors.size(); i++) {
        Func f = s.vectors[i];
        if (f.has_update_definition()) {
            // A linear_stage runs per element of the vector after it, its reader, as an
            // inline linear() does: one sum in a register. Computed per thread instead, it
            // was a heap buffer sized by the whole grid, allocated and freed on the device by
            // every call: on an H200, PRCM_SE at 16x128x32x32 took 4.76 ms a call (PyTorch
            // eager 0.17 ms), at 1x64x64x64 0.047 ms (PRCM 0.020).
            _halide_user_assert(i + 1 < s.vectors.size())
                << f.name() << " must be followed by the vector that reads it\n";
            f.compute_at(s.vectors[i + 1], Var(kGpuElementVar));
            continue;
        }
        f.compute_at(block);
        schedule_vector_in_block(f, f.args()[0], knobs.block_width, knobs.block_height);
    }
}

}  // namespace prcm
