// AffinePRCM's own edge cases, checked against figures worked out by hand.
#include "test_support.h"

#include <cmath>

using namespace prcm;

TEST_CASE("affine_prcm: zero projections give exactly x / 2", "[affine_prcm]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Problem p;
        p.module = &test::module_named("affine_prcm");
        p.shape = {2, 3, 5, 17};
        ProblemData data = make_problem_data(p);
        data.weights.at("scale_proj.weight").fill(0.0f);
        data.weights.at("shift_proj.weight").fill(0.0f);
        Tensor out = make_tensor(p.shape);
        REQUIRE(run_module(*p.module, d, data.input, data.weights, out).is_ok());
        out.for_each_element(
            [&](int w, int h, int c, int n) { CHECK(out(w, h, c, n) == 0.5f * data.input(w, h, c, n)); });
    }
}

TEST_CASE("affine_prcm: the shift is added after the scale, per channel", "[affine_prcm]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        // C=1, B=1, a 1x3 plane of mean 2: coeff = 0.5 * 2 = 1.
        Tensor x = make_tensor({1, 1, 1, 3});
        x(0, 0, 0, 0) = 1.0f;
        x(1, 0, 0, 0) = 2.0f;
        x(2, 0, 0, 0) = 3.0f;
        Weights w;
        w.emplace("basis", make_tensor({1, 1}));
        w.emplace("scale_proj.weight", make_tensor({1, 1}));
        w.emplace("shift_proj.weight", make_tensor({1, 1}));
        w.at("basis").fill(0.5f);
        w.at("scale_proj.weight").fill(1.5f);
        w.at("shift_proj.weight").fill(-4.0f);
        Tensor out = make_tensor({1, 1, 1, 3});
        REQUIRE(run_module(test::module_named("affine_prcm"), d, x, w, out).is_ok());
        const double alpha = 1.0 / (1.0 + std::exp(-1.5)), beta = -4.0;
        for (int i = 0; i < 3; i++) CHECK(out(i, 0, 0, 0) == Approx((i + 1) * alpha + beta).epsilon(1e-6));
    }
}
