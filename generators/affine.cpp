// Affine (notebook 001 §5): x * alpha + beta, alpha and beta [1, C, 1, 1] broadcast
// over the batch: AffinePRCM's output pass with a given scale and shift, alone.
#include "Halide.h"
#include "generators/component.h"
#include "generators/prcm_generator.h"
#include "schedules/elementwise.h"

namespace prcm {

using namespace Halide;

class Affine : public PrcmGenerator<Affine> {
public:
    Input<Buffer<float, 4>> input{"input"};     // (w, h, c, n)  ==  torch x [N, C, H, W]
    Input<Buffer<float, 4>> alpha{"alpha"};     // (1, 1, c, 1)  ==  torch alpha [1, C, 1, 1]
    Input<Buffer<float, 4>> beta{"beta"};       // (1, 1, c, 1)  ==  torch beta [1, C, 1, 1]
    Output<Buffer<float, 4>> output{"output"};  // (w, h, c, n)  ==  torch [N, C, H, W]

    void generate() {
        ElementwiseStages s = elementwise_stages(input);
        const Axes &v = s.v;
        const Expr channels = input.dim(2).extent();
        output(v.x, v.y, v.c, v.n) =
            input(v.x, v.y, v.c, v.n) * per_channel(alpha, channels, v.c) + per_channel(beta, channels, v.c);
        require_dense_from_zero(output);
        require_same_shape(output, input);

        s.output = output;
        if (using_autoscheduler()) {
            estimate_nchw(input);
            estimate_per_channel(alpha);
            estimate_per_channel(beta);
            estimate_nchw(output);
        } else {
            schedule_elementwise(s, get_target(), knob_overrides());
        }
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::Affine, affine)
