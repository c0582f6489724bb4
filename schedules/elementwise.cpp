#include "schedules/elementwise.h"

namespace prcm {

using namespace Halide;

void schedule_plane_pass_cpu(Stage f, const Axes &v, const PlanePassKnobs &knobs, const Expr &plane, const Expr &planes,
                             int channel_group) {
    Var xo("xo"), xi("xi"), cn("cn"), task("task"), plane_in_task("plane_in_task");
    f.split(v.x, xo, xi, knobs.lanes, TailStrategy::GuardWithIf).vectorize(xi);
    Var channels = v.c;
    Expr step = plane;  // the elements of one iteration of plane_in_task
    if (channel_group > 1) {
        Var channel("channel");
        channels = Var("group");
        f.split(v.c, channels, channel, channel_group, TailStrategy::GuardWithIf)
            .reorder(xi, channel, xo, v.y, channels, v.n);
        step = plane * channel_group;
    }
    f.fuse(channels, v.n, cn)
        .split(cn, task, plane_in_task, max(1, knobs.task_elements / step), TailStrategy::GuardWithIf);
    f.specialize(plane * planes <= knobs.serial_elements);
    f.parallel(task);
}

PlaneLoops schedule_elementwise_cpu(Func f, const Axes &v, const PlanePassKnobs &knobs, const Expr &plane,
                                    const Expr &planes) {
    schedule_plane_pass_cpu(f, v, knobs, plane, planes);
    // A LoopLevel names its loop: these are the pass's loops of the same names.
    return {LoopLevel(f, Var("task")), LoopLevel(f, Var("plane_in_task"))};
}

void schedule_elementwise_gpu(Func f, const Axes &v, const GpuPlanePassKnobs &knobs) {
    // Tiles of the plane, every (c, n) plane its own column of blocks.
    Var xo("xo"), xi("xi"), yo("yo"), yi("yi"), cn("cn");
    f.split(v.x, xo, xi, knobs.block_width, TailStrategy::GuardWithIf)
        .split(v.y, yo, yi, knobs.block_height, TailStrategy::GuardWithIf)
        .fuse(v.c, v.n, cn)
        .reorder(xi, yi, xo, yo, cn)
        .gpu_blocks(xo, yo, cn)
        .gpu_threads(xi, yi);
}

}  // namespace prcm
