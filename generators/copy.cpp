// The copy floor: output = input, scheduled like a modulator's output pass. Every
// benchmark times it beside the block, so a ratio to it is measured in one run.
#include "Halide.h"
#include "generators/component.h"
#include "generators/prcm_generator.h"
#include "schedules/elementwise.h"

namespace prcm {

using namespace Halide;

class Copy : public PrcmGenerator<Copy> {
public:
    Input<Buffer<float, 4>> input{"input"};     // (w, h, c, n)  ==  torch x [N, C, H, W]
    Output<Buffer<float, 4>> output{"output"};  // (w, h, c, n)  ==  torch [N, C, H, W]

    void generate() {
        ElementwiseStages s = elementwise_stages(input);
        const Axes &v = s.v;
        output(v.x, v.y, v.c, v.n) = input(v.x, v.y, v.c, v.n);
        require_dense_from_zero(output);
        require_same_shape(output, input);
        s.output = output;
        schedule_elementwise(s, get_target(), knob_overrides());
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::Copy, copy)
