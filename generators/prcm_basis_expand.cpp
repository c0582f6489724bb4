// PRCM_BasisExpand (notebook 000 §1): coeff = mean_hw(x) @ basis.T, then
// x * sigmoid(shrink(relu(expand(coeff)))), hidden width B * r (read from the weights).
#include "Halide.h"
#include "generators/modulator.h"
#include "generators/prcm_generator.h"
#include "schedules/modulator.h"

namespace prcm {

using namespace Halide;

class PrcmBasisExpand : public PrcmGenerator<PrcmBasisExpand> {
public:
    Input<Buffer<float, 4>> input{"input"};                  // (w, h, c, n)  ==  torch x [N, C, H, W]
    Input<Buffer<float, 2>> basis{"basis"};                  // (c, b)        ==  torch basis [B, C]
    Input<Buffer<float, 2>> expand_weight{"expand_weight"};  // (b, k)        ==  torch expand.weight [B * r, B]
    Input<Buffer<float, 2>> shrink_weight{"shrink_weight"};  // (k, c)        ==  torch shrink.weight [C, B * r]
    Output<Buffer<float, 4>> output{"output"};               // (w, h, c, n)  ==  torch [N, C, H, W]

    void generate() {
        ModulatorStages s = modulator_stages(input);
        const Axes &v = s.v;
        const Var unit("unit");  // a hidden unit
        const Expr num_basis = basis.dim(1).extent();
        const Expr hidden_width = expand_weight.dim(1).extent();

        Func coeff = basis_coefficients(s, basis);
        Func hidden("hidden");  // relu(expand(coeff))
        hidden(unit, v.n) = relu(linear(expand_weight, coeff, num_basis, hidden_width, unit, v.n));
        Func gate("gate");  // shrink(hidden).sigmoid()
        gate(v.c, v.n) = sigmoid(linear(shrink_weight, hidden, hidden_width, s.channels, v.c, v.n));

        output(v.x, v.y, v.c, v.n) = input(v.x, v.y, v.c, v.n) * gate(v.c, v.n);
        require_dense_from_zero(output);
        require_same_shape(output, input);

        s.sample_macs = s.channels * num_basis + num_basis * hidden_width;  // coeff, hidden
        s.vectors = {coeff, hidden, gate};
        s.output = output;
        if (using_autoscheduler()) {
            estimate_nchw(input);
            estimate_nchw(output);
            const int hidden_estimate = kEstimateBasis * 4;
            basis.set_estimates({{0, kEstimateChannels}, {0, kEstimateBasis}});
            expand_weight.set_estimates({{0, kEstimateBasis}, {0, hidden_estimate}});
            shrink_weight.set_estimates({{0, hidden_estimate}, {0, kEstimateChannels}});
        } else {
            schedule_modulator(s, get_target(), knob_overrides());
        }
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::PrcmBasisExpand, prcm_basis_expand)
