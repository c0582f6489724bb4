// PRCM_SE_Affine's own edge cases, checked against figures worked out by hand.
#include "test_support.h"

#include <cmath>

using namespace prcm;

TEST_CASE("prcm_se_affine: zero projections give exactly x / 2", "[prcm_se_affine]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Problem p;
        p.module = &test::module_named("prcm_se_affine");
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

TEST_CASE("prcm_se_affine: scale and shift both read the relu'd hidden vector", "[prcm_se_affine]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        // C=1, r=2, mean 2: expand [1.5, -1] gives [3, -2], relu [3, 0];
        // scale_proj [0.5, 9]: alpha = sigmoid(1.5); shift_proj [-1, 9]: beta = -3.
        Tensor x = make_tensor({1, 1, 1, 3});
        for (int i = 0; i < 3; i++) x(i, 0, 0, 0) = 1.0f + i;
        Weights w;
        w.emplace("expand.weight", make_tensor({2, 1}));
        w.emplace("scale_proj.weight", make_tensor({1, 2}));
        w.emplace("shift_proj.weight", make_tensor({1, 2}));
        w.at("expand.weight")(0, 0) = 1.5f;
        w.at("expand.weight")(0, 1) = -1.0f;
        w.at("scale_proj.weight")(0, 0) = 0.5f;
        w.at("scale_proj.weight")(1, 0) = 9.0f;
        w.at("shift_proj.weight")(0, 0) = -1.0f;
        w.at("shift_proj.weight")(1, 0) = 9.0f;
        Tensor out = make_tensor({1, 1, 1, 3});
        REQUIRE(run_module(test::module_named("prcm_se_affine"), d, x, w, out).is_ok());
        const double alpha = 1.0 / (1.0 + std::exp(-1.5)), beta = -3.0;
        for (int i = 0; i < 3; i++) CHECK(out(i, 0, 0, 0) == Approx((1.0 + i) * alpha + beta).epsilon(1e-6));
    }
}

TEST_CASE("prcm_se_affine: 3 * C * C * r parameters", "[prcm_se_affine]") {
    const ModuleSpec &spec = *test::module_named("prcm_se_affine").spec;
    CHECK(parameter_count(spec, 64, spec.defaults) == 3 * 64 * 64 * 4);
}
