// InvertedBottleneck (notebook 000 §0) with its vectors over channels
// (ChannelsBottleneckStages): the CPU twin "channels" of inverted_bottleneck and of its
// residual variant. Its tensors are the same memory as the 4-D ones, viewed as (W * H, C, N),
// W an input, as the flat twin's; its 1x1 weights come packed, output channel innermost (the
// runtime packs them once per prepared call, runtime/src/run.cpp). The arithmetic is
// inverted_bottleneck.cpp's; only the depthwise taps are summed in another order (along a
// kernel row, then the rows).
#include "Halide.h"
#include "generators/inverted_bottleneck.h"
#include "generators/prcm_generator.h"
#include "schedules/inverted_bottleneck.h"

#include <limits>

namespace prcm {

using namespace Halide;

class InvertedBottleneckChannels : public PrcmGenerator<InvertedBottleneckChannels> {
public:
    GeneratorParam<bool> residual{"residual", false};

    Input<Buffer<float, 3>> input{"input"};  // (p, c, n)  ==  torch x [N, C, H, W] viewed as [N, C, H * W]
    Input<int> plane_width{"plane_width", 1, 1, std::numeric_limits<int>::max()};  // W
    Input<Buffer<float, 4>> dw_conv_weight{"dw_conv_weight"};  // (kx, ky, 0, c), as inverted_bottleneck.cpp's
    Input<Buffer<float, 1>> dw_conv_bias{"dw_conv_bias"};
    // (h, c) == torch [C, C * r], expand.weight[h, c, 0, 0] at [c, h]
    Input<Buffer<float, 2>> expand_weight_packed{"expand_weight_packed"};
    Input<Buffer<float, 1>> expand_bias{"expand_bias"};
    // (c, h) == torch [C * r, C], project.weight[c, h, 0, 0] at [h, c]
    Input<Buffer<float, 2>> project_weight_packed{"project_weight_packed"};
    Input<Buffer<float, 1>> project_bias{"project_bias"};
    Input<int> cpu_threads{"cpu_threads"};      // the pool's threads at the call; any value gives the same result
    Output<Buffer<float, 3>> output{"output"};  // (p, c, n)

    void generate() {
        _halide_user_assert(!get_target().has_gpu_feature()) << "inverted_bottleneck_channels is a CPU library\n";
        ChannelsBottleneckStages s;
        const Var &c = s.c, &p = s.p, &q = s.q, &n = s.n;
        s.pixels = input.dim(0).extent();
        s.width = plane_width;
        s.channels = input.dim(1).extent();
        s.batch = input.dim(2).extent();
        s.kernel_size = dw_conv_weight.dim(0).extent();
        s.hidden_channels = expand_weight_packed.dim(0).extent();
        s.cpu_threads = cpu_threads;
        const Expr k = s.kernel_size, half = k / 2, width = max(s.width, 1);
        const Expr height = s.pixels / width;
        s.padded_width = width + k - 1;

        // Every extent follows from C, C * r and k, so a mismatched buffer is refused.
        require_dense_from_zero(dw_conv_weight);
        dw_conv_weight.dim(0).set_extent(2 * (k / 2) + 1);
        dw_conv_weight.dim(1).set_extent(k).set_stride(k);
        dw_conv_weight.dim(2).set_extent(1);
        dw_conv_weight.dim(3).set_extent(s.channels).set_stride(k * k);
        require_dense_from_zero(dw_conv_bias);
        dw_conv_bias.dim(0).set_extent(s.channels);
        require_dense_from_zero(expand_weight_packed);
        expand_weight_packed.dim(1).set_extent(s.channels).set_stride(s.hidden_channels);
        require_dense_from_zero(expand_bias);
        expand_bias.dim(0).set_extent(s.hidden_channels);
        require_dense_from_zero(project_weight_packed);
        project_weight_packed.dim(0).set_extent(s.channels);
        project_weight_packed.dim(1).set_extent(s.hidden_channels).set_stride(s.channels);
        require_dense_from_zero(project_bias);
        project_bias.dim(0).set_extent(s.channels);

        // The schedule rounds channels up to whole vectors: the reads past the last channel
        // are clamped to it (the input, the depthwise and 1x1 weights by output channel) or
        // zero (the biases); their sums are never stored, and the 1x1s sum over the true
        // channels only.
        const Expr last_channel = s.channels - 1, last_hidden = s.hidden_channels - 1;
        const Expr qx = q % s.padded_width - half, qy = q / s.padded_width - half;
        const Expr inside = qx >= 0 && qx < width && qy >= 0 && qy < height;
        const Expr pixel = clamp(qx, 0, width - 1) + width * clamp(qy, 0, height - 1);
        s.staged = Func("staged");
        s.staged(c, q, n) = select(inside, input(pixel, min(c, last_channel), n), 0.0f);
        // Where pixel p's window starts, once per call (a division per pixel); promised to be
        // what it is, so that a task stages only its own rows and their halo. A tile's pixels
        // past the plane (a plane smaller than a tile) take the last pixel's window: the
        // table holds the plane's pixels only.
        s.window = Func("window");
        s.window(p) = p + (k - 1) * (p / width);
        const Expr in_plane = min(p, s.pixels - 1), window = in_plane + (k - 1) * (in_plane / width);
        Var kx("kx"), ky("ky");
        s.taps = Func("taps");
        s.taps(c, kx, ky) = dw_conv_weight(kx, ky, 0, min(c, last_channel));

        s.kernel = RDom(0, k, 0, k, "kernel");
        const Expr tap = s.staged(
            c, unsafe_promise_clamped(s.window(in_plane), window, window) + s.kernel.x + s.padded_width * s.kernel.y,
            n);
        s.dw_sum = Func("dw_sum");
        s.dw_sum(c, p, n) = dw_conv_bias(min(c, last_channel));
        s.dw_sum(c, p, n) += s.taps(c, s.kernel.x, s.kernel.y) * tap;
        s.dw = Func("dw");
        s.dw(c, p, n) = relu(s.dw_sum(c, p, n));

        s.over_channels = RDom(0, s.channels, "over_channels");
        s.over_hidden = RDom(0, s.hidden_channels, "over_hidden");
        s.expand_bias = BoundaryConditions::constant_exterior(expand_bias, 0.0f);
        s.project_bias = BoundaryConditions::constant_exterior(project_bias, 0.0f);
        s.expand_sum = Func("expand_sum");
        s.expand_sum(c, p, n) = s.expand_bias(c);
        s.expand_sum(c, p, n) +=
            expand_weight_packed(min(likely(c), last_hidden), s.over_channels) * s.dw(s.over_channels, p, n);
        s.hidden = Func("hidden");
        s.hidden(c, p, n) = relu(s.expand_sum(c, p, n));
        s.project_sum = Func("project_sum");
        s.project_sum(c, p, n) = s.project_bias(c);
        s.project_sum(c, p, n) +=
            project_weight_packed(min(likely(c), last_channel), s.over_hidden) * s.hidden(s.over_hidden, p, n);
        s.project = Func("project");
        s.project(c, p, n) = s.project_sum(c, p, n);

        Expr result = s.project(c, p, n);
        if (residual) result += input(p, c, n);
        output(p, c, n) = result;
        require_dense_from_zero(input);
        require_dense_from_zero(output);
        require_same_shape(output, input);
        s.output = output;
        schedule_inverted_bottleneck_channels_cpu(s,
                                                  knobs_for(get_target(), "bottleneck", knob_overrides()).bottleneck);
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::InvertedBottleneckChannels, inverted_bottleneck_channels)
HALIDE_REGISTER_GENERATOR_ALIAS(inverted_bottleneck_res_channels, inverted_bottleneck_channels, {{"residual", "true"}})
