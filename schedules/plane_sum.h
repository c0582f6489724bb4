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
// Each plane's sum in `threads` lanes, one block per plane.
void schedule_plane_sum_gpu(PlaneSum &p, const Axes &v, int threads);

// The gap kernel: the plane sums, then N * C divisions on one core.
void schedule_pool(PoolStages &s, const Halide::Target &target, const std::string &knobs);

}  // namespace prcm
