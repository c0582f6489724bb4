#include "schedules/plane_sum.h"

#include "schedules/vector.h"

namespace prcm {

using namespace Halide;

void schedule_plane_sum_cpu(PlaneSum &p, const Axes &v, const PlanePassKnobs &knobs, const Expr &plane,
                            const Expr &planes, const LoopLevel &at) {
    const int vec = knobs.lanes;
    const Expr serial = plane * planes <= knobs.serial_elements;

    // Rows narrower than a vector: one vector of channels at a time, each lane
    // walking its own plane. Lanes along a short row would need a masked
    // accumulate per row, and a masked store read back by the next row stalls
    // store forwarding (about 8x slower at 1x128x8x8).
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
    Var lane("lane"), task("task"), c_in_task("c_in_task");
    RVar xo("xo"), xi("xi");
    Func lanes = p.sum.update()
                     .split(p.plane.x, xo, xi, vec, TailStrategy::GuardWithIf)
                     .rfactor(xi, lane);
    p.sum.compute_at(at);
    p.sum.update().split(v.c, task, c_in_task, max(1, knobs.task_elements / plane), TailStrategy::GuardWithIf);
    p.sum.update().specialize(serial);
    p.sum.update().parallel(task);
    lanes.compute_at(p.sum, c_in_task)
        .reorder_storage(lane, v.c, v.n)
        .vectorize(lane);
    lanes.update().reorder(lane, xo, p.plane.y).vectorize(lane);
}

void schedule_plane_sum_gpu(PlaneSum &p, const Axes &v, int threads) {
    // Adjacent threads read adjacent x (coalesced), one block per plane.
    Var lane("lane");
    RVar xo("xo"), xi("xi");
    Func lanes = p.sum.update()
                     .split(p.plane.x, xo, xi, threads, TailStrategy::GuardWithIf)
                     .rfactor(xi, lane);
    // rfactor puts `lane` outermost; threads must sit inside blocks, serial loops inside threads.
    lanes.compute_root().reorder(lane, v.c, v.n).gpu_blocks(v.c, v.n).gpu_threads(lane);
    lanes.update().reorder(xo, p.plane.y, lane, v.c, v.n).gpu_blocks(v.c, v.n).gpu_threads(lane);
    p.sum.compute_root();
    schedule_vector_gpu(p.sum, v.c, v.n, threads);
    schedule_vector_gpu(p.sum.update(), v.c, v.n, threads);
}

void schedule_pool(PoolStages &s, const Target &target, const std::string &knobs) {
    if (target.has_gpu_feature()) {
        const int threads = knobs_for(target, "gpu_plane_sum", knobs).gpu_plane_sum.threads;
        schedule_plane_sum_gpu(s.sum, s.v, threads);
        schedule_vector_gpu(s.output, s.v.c, s.v.n, threads);
    } else {
        const PlanePassKnobs k = knobs_for(target, "plane_sum", knobs).plane_sum;
        schedule_plane_sum_cpu(s.sum, s.v, k, s.plane, s.planes);
        schedule_vector_cpu(s.output, k.lanes);
    }
}

}  // namespace prcm
