#include "schedules/elementwise.h"

namespace prcm {

using namespace Halide;

PlaneLoops schedule_elementwise_cpu(Func f, const Axes &v, const Target &target, const Expr &plane,
                                    const Expr &planes) {
    const int vec = target.natural_vector_size<float>();
    Var xo("xo"), xi("xi"), cn("cn"), task("task"), plane_in_task("plane_in_task");
    f.split(v.x, xo, xi, vec, TailStrategy::GuardWithIf)
        .vectorize(xi)
        .fuse(v.c, v.n, cn)
        .split(cn, task, plane_in_task, max(1, kTaskElements / plane), TailStrategy::GuardWithIf);
    f.specialize(plane * planes <= kSerialElements);
    f.parallel(task);
    return {LoopLevel(f, task), LoopLevel(f, plane_in_task)};
}

void schedule_elementwise_gpu(Func f, const Axes &v) {
    // 32x8 tiles of the plane, every (c, n) plane its own column of blocks.
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), cn("cn");
    f.split(v.x, xo, xi, 32, TailStrategy::GuardWithIf)
        .split(v.y, yo, yi, 8, TailStrategy::GuardWithIf)
        .fuse(v.c, v.n, cn)
        .reorder(xi, yi, xo, yo, cn)
        .gpu_blocks(xo, yo, cn)
        .gpu_threads(xi, yi);
}

}  // namespace prcm
