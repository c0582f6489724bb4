// The affine component's own edge cases, checked against figures worked out by hand.
#include "test_support.h"

using namespace prcm;

TEST_CASE("affine: x * alpha[c] + beta[c], the scale first", "[affine]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor x = make_tensor({2, 2, 7, 9});
        x.for_each_element([&](int w, int h, int c, int n) { x(w, h, c, n) = w + h - 3.0f * c + n; });
        Weights weights;
        weights.emplace("alpha", make_tensor({1, 2, 1, 1}));
        weights.emplace("beta", make_tensor({1, 2, 1, 1}));
        const float alpha[] = {2.0f, -1.0f}, beta[] = {1.0f, 0.5f};
        for (int c = 0; c < 2; c++) {
            weights.at("alpha")(0, 0, c, 0) = alpha[c];
            weights.at("beta")(0, 0, c, 0) = beta[c];
        }
        Tensor out = make_tensor({2, 2, 7, 9});
        REQUIRE(run_module(test::module_named("affine"), d, x, weights, out).is_ok());
        out.for_each_element(
            [&](int w, int h, int c, int n) { CHECK(out(w, h, c, n) == x(w, h, c, n) * alpha[c] + beta[c]); });
    }
}

TEST_CASE("affine: a zero alpha leaves exactly beta", "[affine]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Problem p;
        p.module = &test::module_named("affine");
        p.shape = {3, 5, 8, 65};
        ProblemData data = make_problem_data(p);
        data.weights.at("alpha").fill(0.0f);
        Tensor out = make_output(p, data);
        REQUIRE(run_module(*p.module, d, data.input, data.weights, out).is_ok());
        out.for_each_element(
            [&](int w, int h, int c, int n) { CHECK(out(w, h, c, n) == data.weights.at("beta")(0, 0, c, 0)); });
    }
}
