// Linear (notebook 001 §5): fuser(coeff) with fuser = nn.Linear(B, C, bias=False),
// the per-sample step of a modulator that fuses the basis coefficients, alone.
#include "Halide.h"
#include "generators/component.h"
#include "generators/prcm_generator.h"
#include "schedules/vector.h"

namespace prcm {

using namespace Halide;

class Linear : public PrcmGenerator<Linear> {
public:
    Input<Buffer<float, 2>> input{"input"};     // (b, n)  ==  torch coeff [N, B]
    Input<Buffer<float, 2>> weight{"weight"};   // (b, c)  ==  torch fuser.weight [C, B]
    Output<Buffer<float, 2>> output{"output"};  // (c, n)  ==  torch [N, C]

    void generate() {
        VectorStages s;
        const Axes &v = s.v;
        const Expr num_basis = input.dim(0).extent(), channels = weight.dim(1).extent();
        require_dense_from_zero(input);
        output(v.c, v.n) = linear(weight, input, num_basis, channels, v.c, v.n);
        require_dense_from_zero(output);
        output.dim(0).set_bounds(0, channels);
        output.dim(1).set_bounds(0, input.dim(1).extent());

        s.output = output;
        if (using_autoscheduler()) {
            estimate_vector(input, kEstimateBasis);
            weight.set_estimates({{0, kEstimateBasis}, {0, kEstimateChannels}});
            estimate_vector(output, kEstimateChannels);
        } else {
            schedule_vector(s, get_target(), knob_overrides());
        }
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::Linear, linear)
