// PRCM's own edge cases, checked against figures worked out by hand rather than
// against the reference.
#include "test_support.h"

#include <cmath>

using namespace prcm;

namespace {
Weights prcm_weights(int channels, int bases, float basis_value, float fuser_value) {
    Weights w;
    w.emplace("basis", make_tensor({bases, channels}));
    w.emplace("fuser.weight", make_tensor({channels, bases}));
    w.at("basis").fill(basis_value);
    w.at("fuser.weight").fill(fuser_value);
    return w;
}
}  // namespace

TEST_CASE("prcm: a zero fuser gates every channel by exactly one half", "[prcm]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Problem p;
        p.module = &test::module_named("prcm");
        p.shape = {2, 5, 7, 3};
        ProblemData data = make_problem_data(p);
        data.weights.at("fuser.weight").fill(0.0f);
        Tensor out = make_tensor(p.shape);
        REQUIRE(run_module(*p.module, d, data.input, data.weights, out).is_ok());
        out.for_each_element(
            [&](int w, int h, int c, int n) { CHECK(out(w, h, c, n) == 0.5f * data.input(w, h, c, n)); });
    }
}

TEST_CASE("prcm: one channel, one basis: x * sigmoid(f * b * mean(x))", "[prcm]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor x = make_tensor({1, 1, 2, 2});
        const float values[] = {1.0f, 2.0f, 3.0f, 6.0f};  // mean 3
        int i = 0;
        x.for_each_value([&](float &v) { v = values[i++]; });
        Weights w = prcm_weights(1, 1, 0.5f, -2.0f);
        Tensor out = make_tensor({1, 1, 2, 2});
        REQUIRE(run_module(test::module_named("prcm"), d, x, w, out).is_ok());
        const double gate = 1.0 / (1.0 + std::exp(-(-2.0 * 0.5 * 3.0)));
        i = 0;
        out.for_each_value([&](float &v) { CHECK(v == Approx(values[i++] * gate).epsilon(1e-6)); });
    }
}

TEST_CASE("prcm: a 1x1 plane is its own mean", "[prcm]") {
    Tensor x = make_tensor({3, 2, 1, 1});
    x.for_each_element([&](int, int, int c, int n) { x(0, 0, c, n) = 1.0f + c + 10.0f * n; });
    Weights w = prcm_weights(2, 3, 1.0f, 0.25f);
    Tensor out = make_tensor({3, 2, 1, 1});
    REQUIRE(run_module(test::module_named("prcm"), Device::cpu, x, w, out).is_ok());
    for (int n = 0; n < 3; n++) {
        const double channel_sum = (1.0 + 10 * n) + (2.0 + 10 * n);  // every basis row is ones
        const double gate = 1.0 / (1.0 + std::exp(-(3 * 0.25 * channel_sum)));
        for (int c = 0; c < 2; c++) CHECK(out(0, 0, c, n) == Approx(x(0, 0, c, n) * gate).epsilon(1e-6));
    }
}
