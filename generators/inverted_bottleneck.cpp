// InvertedBottleneck (notebook 000 §0): k x k depthwise conv -> BN -> ReLU -> 1x1
// expand (C -> C*r) -> BN -> ReLU -> 1x1 project (C*r -> C) -> BN. The `residual`
// parameter adds the input (InvertedBottleneckRes, registered in
// inverted_bottleneck_res.cpp). BatchNorm is folded into the convolutions when the
// weights are loaded (runtime/transforms/bn_folding.cpp), so every conv here
// has a bias: the weights are those of the fused convs, under the same names.
#include "generators/inverted_bottleneck.h"
#include "Halide.h"
#include "generators/prcm_generator.h"
#include "schedules/inverted_bottleneck.h"

namespace prcm {

using namespace Halide;

class InvertedBottleneck : public PrcmGenerator<InvertedBottleneck> {
public:
    GeneratorParam<bool> residual{"residual", false};

    Input<Buffer<float, 4>> input{"input"};                    // (w, h, c, n)     ==  torch x [N, C, H, W]
    Input<Buffer<float, 4>> dw_conv_weight{"dw_conv_weight"};  // (kx, ky, 1, c)   ==  torch dw_conv.weight [C, 1, k, k]
    Input<Buffer<float, 1>> dw_conv_bias{"dw_conv_bias"};      // (c)              ==  torch dw_conv.bias [C]
    Input<Buffer<float, 4>> expand_weight{"expand_weight"};  // (1, 1, c, h)     ==  torch expand.weight [C*r, C, 1, 1]
    Input<Buffer<float, 1>> expand_bias{"expand_bias"};      // (h)              ==  torch expand.bias [C*r]
    Input<Buffer<float, 4>> project_weight{
        "project_weight"};                                 // (1, 1, h, c)     ==  torch project.weight [C, C*r, 1, 1]
    Input<Buffer<float, 1>> project_bias{"project_bias"};  // (c)              ==  torch project.bias [C]
    Output<Buffer<float, 4>> output{"output"};             // (w, h, c, n)     ==  torch [N, C, H, W]

    // A CPU library's last input: the threads of the pool the call runs on (the runtime
    // passes its pool's size at each call), for the schedule's split across cores. Any value
    // gives the same result; GPU libraries have no such input.
    void configure() {
        if (!get_target().has_gpu_feature()) cpu_threads = add_input<int>("cpu_threads");
    }

    void generate() {
        BottleneckStages s;
        const Axes &v = s.v;
        s.input = input;
        s.width = input.dim(0).extent();
        s.height = input.dim(1).extent();
        s.channels = input.dim(2).extent();
        s.batch = input.dim(3).extent();
        s.kernel_size = dw_conv_weight.dim(0).extent();
        s.hidden_channels = expand_weight.dim(3).extent();
        tie_weights(s);
        if (cpu_threads) s.cpu_threads = *cpu_threads;

        // Zero padding of k // 2 on each side of the plane (only x and y are bounded).
        s.padded = BoundaryConditions::constant_exterior(input, 0.0f, {{0, s.width}, {0, s.height}});
        const Expr half = s.kernel_size / 2;

        s.kernel = RDom(0, s.kernel_size, 0, s.kernel_size, "kernel");
        s.dw_sum = Func("dw_sum");
        s.dw_sum(v.x, v.y, v.c, v.n) = dw_conv_bias(v.c);
        s.dw_sum(v.x, v.y, v.c, v.n) += s.padded(v.x + s.kernel.x - half, v.y + s.kernel.y - half, v.c, v.n) *
                                        dw_conv_weight(s.kernel.x, s.kernel.y, 0, v.c);
        // The same sum in its rows form (BottleneckStages), at the plane widths the CPU
        // schedule packs whole rows into a vector: a layout the schedule chooses, written
        // here because Halide schedules cannot restage a Func's storage per specialization.
        Expr depthwise = s.dw_sum(v.x, v.y, v.c, v.n);
        if (!using_autoscheduler()) s.row_widths = depthwise_row_widths(get_target(), knob_overrides());
        if (!s.row_widths.empty()) {
            // The rows' pitch in flat_plane: W, or the narrow width W's rows are padded to.
            s.rows_form = cast<bool>(false);
            Expr pitch = s.width;
            for (const RowsFormWidth &r : s.row_widths) {
                s.rows_form = s.rows_form || s.width == r.width;
                if (r.pitch != r.width) pitch = select(s.width == r.width, r.pitch, pitch);
            }
            Var i("i"), kx("kx");
            // A pure Func, so that a schedule computes only the rows a tile reads: as an
            // update over the whole plane, every strip copied all of it, quadratic in H
            // (1x64x512x8: 5.8 ms, 4.6x ONNX Runtime). Halide's division rounds down, so an
            // i before the plane falls on a row above it: zero. It reads the input, not
            // `padded` (which a schedule stages).
            Func plane_or_zero = BoundaryConditions::constant_exterior(input, 0.0f, {{0, s.width}, {0, s.height}});
            s.flat_plane = Func("flat_plane");
            s.flat_plane(i, v.c, v.n) = plane_or_zero(i % pitch, i / pitch, v.c, v.n);
            // A column's sum starts from its first row's tap: started from zero, its stack
            // buffer was cleared by a memset call per channel (0.9% of the samples at 1x128x8x8).
            // Measured 2026-12-05, AMD EPYC VM, AVX-512, 1 thread, median of medians of 5 interleaved rounds, ms: 1x128x8x8 0.0904 -> 0.0887 (r = 4 0.1627 -> 0.1607; 2 threads 0.0504 -> 0.0496), 1x64x8x8 0.0273 -> 0.0263, 1x64x64x8 0.2236 -> 0.2164, 1x64x64x4 0.1187 -> 0.1156; 1x128x4x4 level.
            s.kernel_rows = RDom(1, s.kernel_size - 1, "kernel_rows");
            s.kernel_columns = RDom(0, s.kernel_size, "kernel_columns");
            s.tap_columns = Func("tap_columns");
            auto tap = [&](const Expr &ky) {
                return dw_conv_weight(kx, ky, 0, v.c) *
                       s.flat_plane(v.x + kx - half + pitch * (v.y + ky - half), v.c, v.n);
            };
            s.tap_columns(v.x, v.y, kx, v.c, v.n) = tap(0);
            s.tap_columns(v.x, v.y, kx, v.c, v.n) += tap(s.kernel_rows);
            const Expr column = v.x + s.kernel_columns - half;
            s.dw_sum_rows = Func("dw_sum_rows");
            s.dw_sum_rows(v.x, v.y, v.c, v.n) = dw_conv_bias(v.c);
            s.dw_sum_rows(v.x, v.y, v.c, v.n) +=
                select(column >= 0 && column < s.width, s.tap_columns(v.x, v.y, s.kernel_columns, v.c, v.n), 0.0f);
            depthwise = select(s.rows_form, s.dw_sum_rows(v.x, v.y, v.c, v.n), depthwise);
        }
        s.dw = Func("dw");
        s.dw(v.x, v.y, v.c, v.n) = relu(depthwise);

        s.expand_weight = last_channel_past_end(expand_weight, s.hidden_channels, "expand_weight_clamped");
        s.expand_bias = BoundaryConditions::constant_exterior(expand_bias, 0.0f);
        s.project_weight = last_channel_past_end(project_weight, s.channels, "project_weight_clamped");
        s.project_bias = BoundaryConditions::constant_exterior(project_bias, 0.0f);

        s.over_channels = RDom(0, s.channels, "over_channels");
        s.expand_sum = Func("expand_sum");
        s.expand_sum(v.x, v.y, v.c, v.n) = s.expand_bias(v.c);
        s.expand_sum(v.x, v.y, v.c, v.n) +=
            s.expand_weight(0, 0, s.over_channels, v.c) * s.dw(v.x, v.y, s.over_channels, v.n);
        s.hidden = Func("hidden");
        s.hidden(v.x, v.y, v.c, v.n) = relu(s.expand_sum(v.x, v.y, v.c, v.n));

        s.over_hidden = RDom(0, s.hidden_channels, "over_hidden");
        s.project_sum = Func("project_sum");
        s.project_sum(v.x, v.y, v.c, v.n) = s.project_bias(v.c);
        s.project_sum(v.x, v.y, v.c, v.n) +=
            s.project_weight(0, 0, s.over_hidden, v.c) * s.hidden(v.x, v.y, s.over_hidden, v.n);

        Expr result = s.project_sum(v.x, v.y, v.c, v.n);
        if (residual) result += input(v.x, v.y, v.c, v.n);
        output(v.x, v.y, v.c, v.n) = result;
        require_dense_from_zero(input);
        require_dense_from_zero(output);
        require_same_shape(output, input);

        s.output = output;
        if (using_autoscheduler()) {
            estimate_nchw(input);
            estimate_nchw(output);
            constexpr int k = 7, hidden = 2 * kEstimateChannels;
            dw_conv_weight.set_estimates({{0, k}, {0, k}, {0, 1}, {0, kEstimateChannels}});
            dw_conv_bias.set_estimates({{0, kEstimateChannels}});
            expand_weight.set_estimates({{0, 1}, {0, 1}, {0, kEstimateChannels}, {0, hidden}});
            expand_bias.set_estimates({{0, hidden}});
            project_weight.set_estimates({{0, 1}, {0, 1}, {0, hidden}, {0, kEstimateChannels}});
            project_bias.set_estimates({{0, kEstimateChannels}});
            if (cpu_threads) cpu_threads->set_estimate(1);
        } else {
            schedule_inverted_bottleneck(s, get_target(), knob_overrides());
        }
    }

private:
    Input<int> *cpu_threads = nullptr;

    void tie_weights(const BottleneckStages &s) {
        tie_bottleneck_weights(dw_conv_weight, dw_conv_bias, expand_weight, expand_bias, project_weight, project_bias,
                               s.channels, s.hidden_channels, s.kernel_size, !get_target().has_gpu_feature());
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::InvertedBottleneck, inverted_bottleneck)
