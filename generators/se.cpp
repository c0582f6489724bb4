// SE_Module (notebook 001 §1): x * sigmoid(fc2(relu(fc1(mean_hw(x))))), both
// Linears with bias, hidden width C // r (read from the weights). PyTorch's hidden
// width of 0 (C < r) reaches this pipeline as one all-zero unit (see the spec's
// library_arguments), which gives the same gate, sigmoid(fc2.bias).
#include "Halide.h"
#include "generators/modulator.h"
#include "generators/prcm_generator.h"
#include "schedules/modulator.h"

namespace prcm {

using namespace Halide;

class Se : public PrcmGenerator<Se> {
public:
    Input<Buffer<float, 4>> input{"input"};            // (w, h, c, n)  ==  torch x [N, C, H, W]
    Input<Buffer<float, 2>> fc1_weight{"fc1_weight"};  // (c, k)        ==  torch fc1.weight [C // r, C]
    Input<Buffer<float, 1>> fc1_bias{"fc1_bias"};      // (k)           ==  torch fc1.bias [C // r]
    Input<Buffer<float, 2>> fc2_weight{"fc2_weight"};  // (k, c)        ==  torch fc2.weight [C, C // r]
    Input<Buffer<float, 1>> fc2_bias{"fc2_bias"};      // (c)           ==  torch fc2.bias [C]
    Output<Buffer<float, 4>> output{"output"};         // (w, h, c, n)  ==  torch [N, C, H, W]

    void generate() {
        ModulatorStages s = modulator_stages(input);
        const Axes &v = s.v;
        const Var unit("unit");  // a hidden unit
        const Expr hidden_width = fc1_bias.dim(0).extent();

        Func hidden("hidden");  // relu(fc1(ctx))
        hidden(unit, v.n) = relu(linear_with_bias(fc1_weight, fc1_bias, s.ctx, s.channels, hidden_width, unit, v.n));
        Func gate("gate");  // fc2(hidden).sigmoid()
        gate(v.c, v.n) = sigmoid(linear_with_bias(fc2_weight, fc2_bias, hidden, hidden_width, s.channels, v.c, v.n));

        output(v.x, v.y, v.c, v.n) = input(v.x, v.y, v.c, v.n) * gate(v.c, v.n);
        require_dense_from_zero(output);
        require_same_shape(output, input);

        s.sample_macs = s.channels * hidden_width;  // hidden
        s.vectors = {hidden, gate};
        s.output = output;
        if (using_autoscheduler()) {
            estimate_nchw(input);
            estimate_nchw(output);
            const int hidden_estimate = kEstimateChannels / 4;
            fc1_weight.set_estimates({{0, kEstimateChannels}, {0, hidden_estimate}});
            fc1_bias.set_estimates({{0, hidden_estimate}});
            fc2_weight.set_estimates({{0, hidden_estimate}, {0, kEstimateChannels}});
            fc2_bias.set_estimates({{0, kEstimateChannels}});
        } else {
            schedule_modulator(s, get_target(), knob_overrides());
        }
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::Se, se)
