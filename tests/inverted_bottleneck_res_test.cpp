// InvertedBottleneckRes's own edge cases: the residual, checked by hand.
#include "bottleneck_test_support.h"

#include <algorithm>

using namespace prcm;
using test::conv1x1;
using test::dw_tap;

TEST_CASE("inverted_bottleneck_res: with a zero project and bn3 the identity, the output is x exactly",
          "[inverted_bottleneck_res]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Problem p;
        p.module = &test::module_named("inverted_bottleneck_res");
        p.shape = {2, 7, 5, 23};
        p.hp.kernel_size = 5;
        ProblemData data = make_problem_data(p);
        data.weights.at("project.weight").fill(0.0f);
        data.weights.at("bn3.bias").fill(0.0f);
        data.weights.at("bn3.running_mean").fill(0.0f);
        Tensor out = make_tensor(p.shape);
        REQUIRE(run_module(*p.module, d, data.input, data.weights, out).is_ok());
        out.for_each_element([&](int i, int j, int c, int n) { CHECK(out(i, j, c, n) == data.input(i, j, c, n)); });
    }
}

TEST_CASE("inverted_bottleneck_res: a centred delta kernel and identity 1x1 convs give x + relu(x) + bn3's shift",
          "[inverted_bottleneck_res]") {
    const int channels = 3, k = 7;
    Weights w = test::identity_bottleneck("inverted_bottleneck_res", channels, 1, k);
    for (int c = 0; c < channels; c++) {
        dw_tap(w, c, k / 2, k / 2) = 1.0f;
        conv1x1(w, "expand.weight", c, c) = 1.0f;
        conv1x1(w, "project.weight", c, c) = 1.0f;
        w.at("bn3.bias")(c) = 0.25f;
    }
    Tensor x = make_tensor({3, channels, 9, 17});
    fill_seeded(x, "input", 2, Init::normal);
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor out = make_tensor(torch_shape(x));
        REQUIRE(run_module(test::module_named("inverted_bottleneck_res"), d, x, w, out).is_ok());
        out.for_each_element([&](int i, int j, int c, int n) {
            const float v = x(i, j, c, n);
            CHECK(out(i, j, c, n) == Approx(v + std::max(v, 0.0f) + 0.25f).margin(1e-6));
        });
    }
}

TEST_CASE("inverted_bottleneck_res: on a 1x1 plane the block adds its centre-tap chain to x",
          "[inverted_bottleneck_res]") {
    // One channel, r = 1, k = 3: dw 2x -> relu -> expand 3 -> relu -> project -0.5; off-centre taps are 9.
    Weights w = test::identity_bottleneck("inverted_bottleneck_res", 1, 1, 3);
    w.at("dw_conv.weight").fill(9.0f);
    dw_tap(w, 0, 1, 1) = 2.0f;
    conv1x1(w, "expand.weight", 0, 0) = 3.0f;
    conv1x1(w, "project.weight", 0, 0) = -0.5f;
    Tensor x = make_tensor({4, 1, 1, 1});
    const float values[] = {1.0f, -1.0f, 0.25f, 3.0f};  // block: -3 * relu(x): -3, 0, -0.75, -9
    for (int n = 0; n < 4; n++) x(0, 0, 0, n) = values[n];
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor out = make_tensor({4, 1, 1, 1});
        REQUIRE(run_module(test::module_named("inverted_bottleneck_res"), d, x, w, out).is_ok());
        for (int n = 0; n < 4; n++) {
            CHECK(out(0, 0, 0, n) == Approx(values[n] - 3.0f * std::max(values[n], 0.0f)).margin(1e-6));
        }
    }
}
