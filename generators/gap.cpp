// Global average pool (notebook 001 §5): ctx = x.mean(dim=[2, 3]), the first step
// of every channel modulator, alone.
#include "Halide.h"
#include "generators/component.h"
#include "generators/prcm_generator.h"
#include "schedules/plane_sum.h"

namespace prcm {

using namespace Halide;

class Gap : public PrcmGenerator<Gap> {
public:
    Input<Buffer<float, 4>> input{"input"};     // (w, h, c, n)  ==  torch x [N, C, H, W]
    Output<Buffer<float, 2>> output{"output"};  // (c, n)        ==  torch ctx [N, C]

    void generate() {
        PoolStages s;
        const Axes &v = s.v;
        s.plane = input.dim(0).extent() * input.dim(1).extent();
        s.planes = input.dim(2).extent() * input.dim(3).extent();
        s.sum = plane_sum(input, v);
        output(v.c, v.n) = s.sum.sum(v.c, v.n) / cast<float>(s.plane);
        require_dense_from_zero(input);
        require_dense_from_zero(output);
        output.dim(0).set_bounds(0, input.dim(2).extent());
        output.dim(1).set_bounds(0, input.dim(3).extent());

        s.output = output;
        if (using_autoscheduler()) {
            estimate_nchw(input);
            estimate_vector(output, kEstimateChannels);
        } else {
            schedule_pool(s, get_target(), knob_overrides());
        }
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::Gap, gap)
