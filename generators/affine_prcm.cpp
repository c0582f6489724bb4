// AffinePRCM (notebook 001 §1): x * sigmoid(scale_proj(coeff)) + shift_proj(coeff),
// coeff = mean_hw(x) @ basis.T. AffinePRCM_NoDropout is this same block.
#include "Halide.h"
#include "generators/modulator.h"
#include "generators/prcm_generator.h"
#include "schedules/modulator.h"

namespace prcm {

using namespace Halide;

class AffinePrcm : public PrcmGenerator<AffinePrcm> {
public:
    Input<Buffer<float, 4>> input{"input"};                          // (w, h, c, n)  ==  torch x [N, C, H, W]
    Input<Buffer<float, 2>> basis{"basis"};                          // (c, b)        ==  torch basis [B, C]
    Input<Buffer<float, 2>> scale_proj_weight{"scale_proj_weight"};  // (b, c)        ==  torch scale_proj.weight [C, B]
    Input<Buffer<float, 2>> shift_proj_weight{"shift_proj_weight"};  // (b, c)        ==  torch shift_proj.weight [C, B]
    Output<Buffer<float, 4>> output{"output"};                       // (w, h, c, n)  ==  torch [N, C, H, W]

    void generate() {
        ModulatorStages s = modulator_stages(input);
        const Axes &v = s.v;
        const Expr num_basis = basis.dim(1).extent();

        Func coeff = basis_coefficients(s, basis);
        Func alpha("alpha");  // scale_proj(coeff).sigmoid()
        alpha(v.c, v.n) = sigmoid(linear(scale_proj_weight, coeff, num_basis, s.channels, v.c, v.n));
        Func beta("beta");  // shift_proj(coeff)
        beta(v.c, v.n) = linear(shift_proj_weight, coeff, num_basis, s.channels, v.c, v.n);

        output(v.x, v.y, v.c, v.n) = input(v.x, v.y, v.c, v.n) * alpha(v.c, v.n) + beta(v.c, v.n);
        require_dense_from_zero(output);
        require_same_shape(output, input);

        s.sample_macs = s.channels * num_basis;  // coeff
        s.vectors = {coeff, alpha, beta};
        s.output = output;
        if (using_autoscheduler()) {
            estimate_nchw(input);
            estimate_nchw(output);
            basis.set_estimates({{0, kEstimateChannels}, {0, kEstimateBasis}});
            scale_proj_weight.set_estimates({{0, kEstimateBasis}, {0, kEstimateChannels}});
            shift_proj_weight.set_estimates({{0, kEstimateBasis}, {0, kEstimateChannels}});
        } else {
            schedule_modulator(s, get_target(), knob_overrides());
        }
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::AffinePrcm, affine_prcm)
