// The full-size pass over an NCHW tensor that every block ends with (and the copy
// floor is made of): vectorized along W, one parallel task per batch of planes.
#pragma once

#include "Halide.h"
#include "generators/component.h"
#include "schedules/knobs.h"

namespace prcm {

// The loops a stage computed per plane of the pass needs: a parallel task, and one
// plane within it.
struct PlaneLoops {
    Halide::LoopLevel task, plane;
};

// The pass's loops on one stage (a Func's, or one of its specializations). With a
// `channel_group` above 1, a group of that many channels takes each row in turn (their
// vectors along W one after another), so what a row costs to set up is paid once a group.
void schedule_plane_pass_cpu(Halide::Stage f, const Axes &v, const PlanePassKnobs &knobs, const Halide::Expr &plane,
                             const Halide::Expr &planes, int channel_group = 1);
PlaneLoops schedule_elementwise_cpu(Halide::Func f, const Axes &v, const PlanePassKnobs &knobs,
                                    const Halide::Expr &plane, const Halide::Expr &planes);
void schedule_elementwise_gpu(Halide::Func f, const Axes &v, const GpuPlanePassKnobs &knobs);

// The elementwise kernels (scale, shift, affine) and the copy floor: the pass alone.
inline void schedule_elementwise(ElementwiseStages &s, const Halide::Target &target, const std::string &knobs) {
    if (target.has_gpu_feature()) {
        schedule_elementwise_gpu(s.output, s.v, knobs_for(target, "gpu_elementwise", knobs).gpu_elementwise);
    } else {
        schedule_elementwise_cpu(s.output, s.v, knobs_for(target, "elementwise", knobs).elementwise, s.plane, s.planes);
    }
}

}  // namespace prcm
