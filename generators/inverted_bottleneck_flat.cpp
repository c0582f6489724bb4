// InvertedBottleneck (notebook 000 §0) over a plane's pixels in one run, p = x + W * y
// (FlatBottleneckStages): the CPU twin "flat" of inverted_bottleneck and of its residual
// variant. Its tensors are the same memory as the 4-D ones, viewed as (W * H, C, N), and W
// comes as an input: the runtime makes the views (runtime/src/run.cpp). The arithmetic is
// inverted_bottleneck.cpp's; only the depthwise taps are summed in another order (a column of
// taps, then the columns), as that generator's rows form does.
#include "Halide.h"
#include "generators/inverted_bottleneck.h"
#include "generators/prcm_generator.h"
#include "schedules/inverted_bottleneck.h"

namespace prcm {

using namespace Halide;

class InvertedBottleneckFlat : public PrcmGenerator<InvertedBottleneckFlat> {
public:
    GeneratorParam<bool> residual{"residual", false};

    Input<Buffer<float, 3>> input{"input"};  // (p, c, n)  ==  torch x [N, C, H, W] viewed as [N, C, H * W]
    Input<int> plane_width{"plane_width"};   // W
    Input<Buffer<float, 4>> dw_conv_weight{"dw_conv_weight"};  // as inverted_bottleneck.cpp's
    Input<Buffer<float, 1>> dw_conv_bias{"dw_conv_bias"};
    Input<Buffer<float, 4>> expand_weight{"expand_weight"};
    Input<Buffer<float, 1>> expand_bias{"expand_bias"};
    Input<Buffer<float, 4>> project_weight{"project_weight"};
    Input<Buffer<float, 1>> project_bias{"project_bias"};
    Input<int> cpu_threads{"cpu_threads"};      // the pool's threads at the call; any value gives the same result
    Output<Buffer<float, 3>> output{"output"};  // (p, c, n)

    void generate() {
        _halide_user_assert(!get_target().has_gpu_feature()) << "inverted_bottleneck_flat is a CPU library\n";
        FlatBottleneckStages s;
        const Var &p = s.p, &c = s.c, &n = s.n;
        s.pixels = input.dim(0).extent();
        s.width = plane_width;
        s.channels = input.dim(1).extent();
        s.batch = input.dim(2).extent();
        s.kernel_size = dw_conv_weight.dim(0).extent();
        s.hidden_channels = expand_weight.dim(3).extent();
        s.cpu_threads = cpu_threads;
        tie_bottleneck_weights(dw_conv_weight, dw_conv_bias, expand_weight, expand_bias, project_weight, project_bias,
                               s.channels, s.hidden_channels, s.kernel_size, true);

        // Rows above and below the plane read zero; a column's taps that fall off its row
        // (into the row before or after) are masked below.
        s.plane = BoundaryConditions::constant_exterior(input, 0.0f, {{0, s.pixels}});
        const Expr half = s.kernel_size / 2;
        s.column = Func("column");
        s.column(p) = p % s.width;

        s.kernel_rows = RDom(1, s.kernel_size - 1, "kernel_rows");
        s.kernel_columns = RDom(0, s.kernel_size, "kernel_columns");
        s.expand_weight = last_channel_past_end(expand_weight, s.hidden_channels, "expand_weight_clamped");
        s.expand_bias = BoundaryConditions::constant_exterior(expand_bias, 0.0f);
        s.project_weight = last_channel_past_end(project_weight, s.channels, "project_weight_clamped");
        s.project_bias = BoundaryConditions::constant_exterior(project_bias, 0.0f);
        s.over_channels = RDom(0, s.channels, "over_channels");
        s.over_hidden = RDom(0, s.hidden_channels, "over_hidden");

        // The sums, once per register tile of the schedule (FlatBottleneckSums).
        auto define_sums = [&](const std::string &suffix) {
            FlatBottleneckSums sums;
            Var kx("kx");
            auto tap = [&](const Expr &ky) {
                return dw_conv_weight(kx, ky, 0, c) * s.plane(p + kx - half + s.width * (ky - half), c, n);
            };
            sums.tap_columns = Func("tap_columns" + suffix);
            sums.tap_columns(p, kx, c, n) = tap(0);
            sums.tap_columns(p, kx, c, n) += tap(s.kernel_rows);
            const Expr x = s.column(p) + s.kernel_columns - half;
            sums.dw_sum = Func("dw_sum" + suffix);
            sums.dw_sum(p, c, n) = dw_conv_bias(c);
            sums.dw_sum(p, c, n) += select(x >= 0 && x < s.width, sums.tap_columns(p, s.kernel_columns, c, n), 0.0f);
            sums.dw = Func("dw" + suffix);
            sums.dw(p, c, n) = relu(sums.dw_sum(p, c, n));

            sums.expand_sum = Func("expand_sum" + suffix);
            sums.expand_sum(p, c, n) = s.expand_bias(c);
            sums.expand_sum(p, c, n) += s.expand_weight(0, 0, s.over_channels, c) * sums.dw(p, s.over_channels, n);
            sums.hidden = Func("hidden" + suffix);
            sums.hidden(p, c, n) = relu(sums.expand_sum(p, c, n));

            sums.project_sum = Func("project_sum" + suffix);
            sums.project_sum(p, c, n) = s.project_bias(c);
            sums.project_sum(p, c, n) += s.project_weight(0, 0, s.over_hidden, c) * sums.hidden(p, s.over_hidden, n);
            return sums;
        };
        const BottleneckKnobs knobs = knobs_for(get_target(), "bottleneck", knob_overrides()).bottleneck;
        s.narrow = define_sums("");
        Expr sum = s.narrow.project_sum(p, c, n);
        // Equal sums either way; the schedule specializes the output on the choice, and Halide
        // drops the copy a specialization does not read.
        if (knobs.flat_wide_tile_rows > 0) {
            s.wide = define_sums("_wide");
            s.wide_tiles = flat_wide_tiles_taken(s.pixels, knobs);
            sum = select(s.wide_tiles, s.wide.project_sum(p, c, n), sum);
        }

        Expr result = sum;
        if (residual) result += input(p, c, n);
        output(p, c, n) = result;
        require_dense_from_zero(input);
        require_dense_from_zero(output);
        require_same_shape(output, input);
        s.output = output;
        schedule_inverted_bottleneck_flat_cpu(s, knobs);
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::InvertedBottleneckFlat, inverted_bottleneck_flat)
HALIDE_REGISTER_GENERATOR_ALIAS(inverted_bottleneck_res_flat, inverted_bottleneck_flat, {{"residual", "true"}})
