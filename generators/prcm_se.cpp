// PRCM_SE (notebook 000 §1): x * sigmoid(shrink(relu(expand(mean_hw(x))))),
// hidden width C * r (read from the weights), no biases.
#include "Halide.h"
#include "generators/modulator.h"
#include "generators/prcm_generator.h"
#include "schedules/modulator.h"

namespace prcm {

using namespace Halide;

class PrcmSe : public PrcmGenerator<PrcmSe> {
public:
    Input<Buffer<float, 4>> input{"input"};                  // (w, h, c, n)  ==  torch x [N, C, H, W]
    Input<Buffer<float, 2>> expand_weight{"expand_weight"};  // (c, k)        ==  torch expand.weight [C * r, C]
    Input<Buffer<float, 2>> shrink_weight{"shrink_weight"};  // (k, c)        ==  torch shrink.weight [C, C * r]
    Output<Buffer<float, 4>> output{"output"};               // (w, h, c, n)  ==  torch [N, C, H, W]

    void generate() {
        ModulatorStages s = modulator_stages(input);
        const Axes &v = s.v;
        const Var unit("unit");  // a hidden unit
        const Expr hidden_width = expand_weight.dim(1).extent();

        // The C * r-wide products are stages of their own (see linear_stage).
        Func expand = linear_stage("expand", expand_weight, s.ctx, s.channels, hidden_width, unit, v.n);
        Func hidden("hidden");  // relu(expand(ctx))
        hidden(unit, v.n) = relu(expand(unit, v.n));
        Func shrink = linear_stage("shrink", shrink_weight, hidden, hidden_width, s.channels, v.c, v.n);
        Func gate("gate");  // shrink(hidden).sigmoid()
        gate(v.c, v.n) = sigmoid(shrink(v.c, v.n));

        output(v.x, v.y, v.c, v.n) = input(v.x, v.y, v.c, v.n) * gate(v.c, v.n);
        require_dense_from_zero(output);
        require_same_shape(output, input);

        s.sample_macs = s.channels * hidden_width;  // expand
        s.vectors = {expand, hidden, shrink, gate};
        s.output = output;
        if (using_autoscheduler()) {
            estimate_nchw(input);
            estimate_nchw(output);
            const int hidden_estimate = kEstimateChannels * 4;
            expand_weight.set_estimates({{0, kEstimateChannels}, {0, hidden_estimate}});
            shrink_weight.set_estimates({{0, hidden_estimate}, {0, kEstimateChannels}});
        } else {
            schedule_modulator(s, get_target(), knob_overrides());
        }
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::PrcmSe, prcm_se)
