// PRCM_BasisExpand's own edge cases, checked against figures worked out by hand.
#include "test_support.h"

#include <cmath>

using namespace prcm;

TEST_CASE("prcm_basis_expand: a zero shrink gates every channel by exactly one half", "[prcm_basis_expand]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Problem p;
        p.module = &test::module_named("prcm_basis_expand");
        p.shape = {2, 5, 7, 3};
        ProblemData data = make_problem_data(p);
        data.weights.at("shrink.weight").fill(0.0f);
        Tensor out = make_tensor(p.shape);
        REQUIRE(run_module(*p.module, d, data.input, data.weights, out).is_ok());
        out.for_each_element(
            [&](int w, int h, int c, int n) { CHECK(out(w, h, c, n) == 0.5f * data.input(w, h, c, n)); });
    }
}

TEST_CASE("prcm_basis_expand: basis, expand, relu and shrink by hand", "[prcm_basis_expand]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        // Means 2 and 6; basis [0.5, 0.25]: coeff 2.5; expand [1, -1]: [2.5, -2.5], relu [2.5, 0];
        // shrink [[1, 5], [-2, 5]]: gates sigmoid(2.5) and sigmoid(-5).
        Tensor x = make_tensor({1, 2, 1, 3});
        const float planes[2][3] = {{1.0f, 2.0f, 3.0f}, {4.0f, 4.0f, 10.0f}};
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 3; i++) x(i, 0, c, 0) = planes[c][i];
        Weights w;
        w.emplace("basis", make_tensor({1, 2}));
        w.emplace("expand.weight", make_tensor({2, 1}));
        w.emplace("shrink.weight", make_tensor({2, 2}));
        w.at("basis")(0, 0) = 0.5f;
        w.at("basis")(1, 0) = 0.25f;
        w.at("expand.weight")(0, 0) = 1.0f;
        w.at("expand.weight")(0, 1) = -1.0f;
        Tensor &shrink = w.at("shrink.weight");  // torch [c][k] is (k, c) here
        shrink(0, 0) = 1.0f;
        shrink(1, 0) = 5.0f;
        shrink(0, 1) = -2.0f;
        shrink(1, 1) = 5.0f;
        Tensor out = make_tensor({1, 2, 1, 3});
        REQUIRE(run_module(test::module_named("prcm_basis_expand"), d, x, w, out).is_ok());
        const double gate[2] = {1.0 / (1.0 + std::exp(-2.5)), 1.0 / (1.0 + std::exp(5.0))};
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 3; i++) CHECK(out(i, 0, c, 0) == Approx(planes[c][i] * gate[c]).epsilon(1e-6));
    }
}

TEST_CASE("prcm_basis_expand: B*C + B*B*r + B*r*C parameters", "[prcm_basis_expand]") {
    const ModuleSpec &spec = *test::module_named("prcm_basis_expand").spec;
    CHECK(parameter_count(spec, 64, spec.defaults) == 512 + 256 + 2048);
}
