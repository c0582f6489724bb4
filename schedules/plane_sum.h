// The schedules of a plane sum (the numerator of x.mean(dim=[2, 3])), shared by
// every channel modulator's pool and by the gap component kernel.
#pragma once

#include "Halide.h"
#include "generators/component.h"
#include "schedules/knobs.h"

namespace prcm {

// `plane` is W * H, `planes` C * N: they decide the tasks and the serial case.
// `at` is where the sums are computed: root, or per sample inside the pass that reads them.
void schedule_plane_sum_cpu(PlaneSum &p, const Axes &v, const PlanePassKnobs &knobs, const Halide::Expr &plane,
                            const Halide::Expr &planes, const Halide::LoopLevel &at = Halide::LoopLevel::root());
// The GPU pool's first kernel (see plane_sum.cpp): the partial sums of strips of
// rows of every plane. The sums themselves add those up at `finish_at`, a block loop
// of the kernel that reads them (whose blocks are block_width x block_height threads),
// a thread per channel.
struct GpuPool {
    int lanes, row_threads, strip_rows;
};
void schedule_plane_sum_gpu(PlaneSum &p, const Axes &v, const GpuPool &pool, const Halide::LoopLevel &finish_at,
                            int block_width, int block_height);

// The gap kernel: the plane sums, then N * C divisions on one core.
void schedule_pool(PoolStages &s, const Halide::Target &target, const std::string &knobs);

}  // namespace prcm
