#include "schedules/plane_sum.h"

#include "schedules/vector.h"

namespace prcm {

using namespace Halide;

void schedule_plane_sum_cpu(PlaneSum &p, const Axes &v, const PlanePassKnobs &knobs, const Expr &plane,
                            const Expr &planes, const LoopLevel &at) {
    const int vec = knobs.lanes;
    const Expr serial = plane * planes <= knobs.serial_elements;

    // Rows of a multiple of half a vector or a quarter, narrower than a vector (W = 8,
    // 4 or 12 on AVX-512): each plane summed in that many lanes, a row a load, then its
    // lanes added across. Gathering a lane per channel (below) takes a scalar insert
    // per element; other widths (7x7) still do, a tail each row cost more.
    // Measured 2026-12-04, Intel Xeon VM, with the modulator's narrow rows, medians of 5
    // interleaved rounds: PRCM 1x128x8x8 0.0058 -> 0.0032 ms, SE 0.0069 -> 0.0043,
    // PRCM 1x64x12x12 0.0052 -> 0.0040; 4x4 level; tails (4 lanes at W = 7) 1.7-2x slower.
    Var task("task"), c_in_task("c_in_task");
    const Expr width = p.plane.x.extent();
    for (int row_lanes : {vec / 2, vec / 4}) {
        if (row_lanes < 4) continue;
        // Names of their own: with one Var shared by the two branches' rfactors, Halide 21
        // sized the 8-lane branch's sums to 4 lanes and summed half of each row (prcm
        // verify: 8176 mismatches at 1x128x8x8).
        const std::string suffix = "_" + std::to_string(row_lanes);
        Var row_lane("row_lane" + suffix);
        RVar row_vector("row_vector" + suffix), in_row_vector("in_row_vector" + suffix);
        Stage rows = p.sum.update().specialize(width >= row_lanes && width % row_lanes == 0 && width < vec);
        Func row_sums = rows.split(p.plane.x, row_vector, in_row_vector, row_lanes, TailStrategy::GuardWithIf)
                            .rfactor(in_row_vector, row_lane);
        rows.split(v.c, task, c_in_task, max(1, knobs.task_elements / plane), TailStrategy::GuardWithIf)
            .atomic()
            .vectorize(in_row_vector);
        rows.specialize(serial);
        rows.parallel(task);
        row_sums.compute_at(p.sum, c_in_task).vectorize(row_lane);
        row_sums.update().reorder(row_lane, row_vector, p.plane.y).vectorize(row_lane);
    }

    // Rows narrower than that: one vector of channels at a time, each lane
    // walking its own plane. Lanes along a short row would need a masked
    // accumulate per row, and a masked store read back by the next row stalls
    // store forwarding.
    // Measured 2026-11-22, AVX-512 Xeon: lanes along a short row were about 8x slower at 1x128x8x8.
    Var c_vector("c_vector"), c_lane("c_lane");
    Stage narrow = p.sum.update().specialize(p.plane.x.extent() < vec);
    narrow.split(v.c, c_vector, c_lane, vec, TailStrategy::GuardWithIf)
        .reorder(c_lane, p.plane.x, p.plane.y, c_vector, v.n)
        .vectorize(c_lane);
    narrow.specialize(serial);
    narrow.parallel(c_vector);

    // Otherwise each plane is summed into `vec` vector lanes (rfactor), which keeps
    // the read at full vector width for any W. c is split into tasks within each n
    // (not fused with n), so one plane's lanes have a constant size and stay in a register.
    Var lane("lane");
    RVar xo("xo"), xi("xi");
    Func lanes = p.sum.update().split(p.plane.x, xo, xi, vec, TailStrategy::GuardWithIf).rfactor(xi, lane);
    p.sum.compute_at(at);
    p.sum.update().split(v.c, task, c_in_task, max(1, knobs.task_elements / plane), TailStrategy::GuardWithIf);
    p.sum.update().specialize(serial);
    p.sum.update().parallel(task);
    lanes.compute_at(p.sum, c_in_task).reorder_storage(lane, v.c, v.n).vectorize(lane);
    lanes.update().reorder(lane, xo, p.plane.y).vectorize(lane);
}

void schedule_plane_sum_gpu(PlaneSum &p, const Axes &v, const GpuPool &pool, const LoopLevel &finish_at,
                            int block_width, int block_height) {
    // Kernel 1: one block per (strip of rows, c, n). A thread sums every pool.lanes-th
    // column of strip_rows / row_threads rows of the strip in a register, its row
    // loads unrolled so that they are in flight together; adjacent threads read
    // adjacent x (coalesced). One thread then adds the block's sums up (from shared
    // memory) into the strip's partial sum. The zeroing happens in the same kernel:
    // every stage below is computed per block.
    Var strip("strip"), lane("lane"), row_lane("row_lane");
    RVar strip_r("strip_r"), row_r("row_r"), xo("xo"), xi("xi"), row_o("row_o"), row_i("row_i");
    Func partial = p.sum.update()
                       .split(p.plane.y, strip_r, row_r, pool.strip_rows, TailStrategy::GuardWithIf)
                       .rfactor(strip_r, strip);
    Func lanes = partial.update()
                     .split(p.plane.x, xo, xi, pool.lanes, TailStrategy::GuardWithIf)
                     .split(row_r, row_o, row_i, pool.row_threads, TailStrategy::GuardWithIf)
                     .rfactor({{xi, lane}, {row_i, row_lane}});
    Func stored = schedule_block_per_element(partial, strip, v.c, v.n);
    Func lane_sums = lanes.in(partial);  // the threads' sums, in shared memory
    lane_sums.compute_at(stored, strip).gpu_threads(lane, row_lane);
    lanes.compute_at(lane_sums, lane);
    lanes.update().reorder(row_o, xo).unroll(row_o);

    // Kernel 2's share: each channel's partial sums added up by a thread of its own.
    p.sum.compute_at(finish_at);
    schedule_vector_in_block(p.sum, v.c, block_width, block_height);
    schedule_vector_in_block(p.sum.update(), v.c, block_width, block_height);
}

void schedule_pool(PoolStages &s, const Target &target, const std::string &knobs) {
    if (target.has_gpu_feature()) {
        // Two kernels: the partial sums, then a block of `threads` channels adds them up.
        const GpuPlaneSumKnobs k = knobs_for(target, "gpu_plane_sum", knobs).gpu_plane_sum;
        Var ko("ko"), ki(kGpuThreadVar);
        s.output.compute_root()
            .split(s.v.c, ko, ki, k.threads, TailStrategy::GuardWithIf)
            .gpu_blocks(ko, s.v.n)
            .gpu_threads(ki);
        schedule_plane_sum_gpu(s.sum, s.v, {k.pool_lanes, k.pool_row_threads, k.pool_strip_rows},
                               LoopLevel(s.output, ko), k.threads, 1);
    } else {
        const PlanePassKnobs k = knobs_for(target, "plane_sum", knobs).plane_sum;
        schedule_plane_sum_cpu(s.sum, s.v, k, s.plane, s.planes);
        schedule_output_vector_cpu(s.output, k.lanes);
    }
}

}  // namespace prcm
