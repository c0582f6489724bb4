// The copy floor: output = input, scheduled like a modulator's output pass. Every
// benchmark times it beside the block, so a ratio to it is measured in one run.
#include "Halide.h"
#include "generators/algorithm_common.h"
#include "schedules/elementwise.h"

namespace prcm {

using namespace Halide;

class Copy : public Generator<Copy> {
public:
    Input<Buffer<float, 4>> input{"input"};     // (w, h, c, n)  ==  torch x [N, C, H, W]
    Output<Buffer<float, 4>> output{"output"};  // (w, h, c, n)  ==  torch [N, C, H, W]

    void generate() {
        Axes v;
        output(v.x, v.y, v.c, v.n) = input(v.x, v.y, v.c, v.n);
        require_dense_from_zero(input);
        require_dense_from_zero(output);
        require_same_shape(output, input);
        if (get_target().has_gpu_feature()) {
            schedule_elementwise_gpu(output, v);
        } else {
            schedule_elementwise_cpu(output, v, get_target(), input.dim(0).extent() * input.dim(1).extent(),
                                     input.dim(2).extent() * input.dim(3).extent());
        }
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::Copy, copy)
