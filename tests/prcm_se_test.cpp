// PRCM_SE's own edge cases, checked against figures worked out by hand.
#include "test_support.h"

#include <cmath>

using namespace prcm;

TEST_CASE("prcm_se: a zero shrink gates every channel by exactly one half", "[prcm_se]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Problem p;
        p.module = &test::module_named("prcm_se");
        p.shape = {2, 5, 7, 3};
        ProblemData data = make_problem_data(p);
        data.weights.at("shrink.weight").fill(0.0f);
        Tensor out = make_tensor(p.shape);
        REQUIRE(run_module(*p.module, d, data.input, data.weights, out).is_ok());
        out.for_each_element(
            [&](int w, int h, int c, int n) { CHECK(out(w, h, c, n) == 0.5f * data.input(w, h, c, n)); });
    }
}

TEST_CASE("prcm_se: relu drops the negative hidden unit", "[prcm_se]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        // C=1, r=2, mean 2: expand gives [3, -2], relu [3, 0], shrink [2, 7] gives 6 (not -8).
        Tensor x = make_tensor({1, 1, 1, 3});
        for (int i = 0; i < 3; i++) x(i, 0, 0, 0) = 1.0f + i;
        Weights w;
        w.emplace("expand.weight", make_tensor({2, 1}));
        w.emplace("shrink.weight", make_tensor({1, 2}));
        w.at("expand.weight")(0, 0) = 1.5f;
        w.at("expand.weight")(0, 1) = -1.0f;
        w.at("shrink.weight")(0, 0) = 2.0f;
        w.at("shrink.weight")(1, 0) = 7.0f;
        Tensor out = make_tensor({1, 1, 1, 3});
        REQUIRE(run_module(test::module_named("prcm_se"), d, x, w, out).is_ok());
        const double gate = 1.0 / (1.0 + std::exp(-6.0));
        for (int i = 0; i < 3; i++) CHECK(out(i, 0, 0, 0) == Approx((1.0 + i) * gate).epsilon(1e-6));
    }
}

TEST_CASE("prcm_se: the notebook's parameter counts over the expansion", "[prcm_se]") {
    const ModuleSpec &spec = *test::module_named("prcm_se").spec;
    const std::pair<int, long long> counts[] = {{1, 8192}, {2, 16384}, {4, 32768}, {8, 65536}, {16, 131072}};
    for (auto [r, params] : counts) {
        HyperParams hp = spec.defaults;
        hp.expansion = r;
        CHECK(parameter_count(spec, 64, hp) == params);
    }
}
