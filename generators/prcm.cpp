// PRCM (notebooks 000 §1 and 001 §1): x * sigmoid(fuser(mean_hw(x) @ basis.T)).
// Dropout is the identity at inference, so PRCM_NoDropout is this same block.
#include "Halide.h"
#include "generators/modulator.h"
#include "generators/prcm_generator.h"
#include "schedules/modulator.h"

namespace prcm {

using namespace Halide;

class Prcm : public PrcmGenerator<Prcm> {
public:
    Input<Buffer<float, 4>> input{"input"};                // (w, h, c, n)  ==  torch x [N, C, H, W]
    Input<Buffer<float, 2>> basis{"basis"};                // (c, b)        ==  torch basis [B, C]
    Input<Buffer<float, 2>> fuser_weight{"fuser_weight"};  // (b, c)        ==  torch fuser.weight [C, B]
    Output<Buffer<float, 4>> output{"output"};             // (w, h, c, n)  ==  torch [N, C, H, W]

    void generate() {
        ModulatorStages s = modulator_stages(input);
        const Axes &v = s.v;
        const Expr num_basis = basis.dim(1).extent();

        Func coeff = basis_coefficients(s, basis);
        Func gate("gate");  // fuser(coeff).sigmoid()
        gate(v.c, v.n) = sigmoid(linear(fuser_weight, coeff, num_basis, s.channels, v.c, v.n));

        output(v.x, v.y, v.c, v.n) = input(v.x, v.y, v.c, v.n) * gate(v.c, v.n);
        require_dense_from_zero(output);
        require_same_shape(output, input);

        s.sample_macs = s.channels * num_basis;  // coeff
        s.vectors = {coeff, gate};
        s.output = output;
        if (using_autoscheduler()) {
            estimate_nchw(input);
            estimate_nchw(output);
            basis.set_estimates({{0, kEstimateChannels}, {0, kEstimateBasis}});
            fuser_weight.set_estimates({{0, kEstimateBasis}, {0, kEstimateChannels}});
        } else {
            schedule_modulator(s, get_target(), knob_overrides());
        }
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::Prcm, prcm)
