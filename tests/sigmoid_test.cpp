// The sigmoid component's own edge cases, checked against figures worked out by hand.
#include "test_support.h"

#include <cmath>
#include <limits>

using namespace prcm;

TEST_CASE("sigmoid: 0 gives one half, the tails saturate without NaN", "[sigmoid]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        // Past 2^31 ln 2 Halide's CPU exp overflows; torch still gives 0 and 1.
        const float z[] = {0.0f, -100.0f, 100.0f, 2.0f, -2.0f, 1e30f, -1e30f, INFINITY, -INFINITY};
        const int B = 9;
        Tensor coeff = make_tensor({2, B}), out = make_tensor({2, B});
        coeff.for_each_element([&](int b, int n) { coeff(b, n) = n ? -z[b] : z[b]; });
        REQUIRE(run_module(test::module_named("sigmoid"), d, coeff, {}, out).is_ok());
        for (int n = 0; n < 2; n++) {
            CHECK(out(0, n) == 0.5f);
            CHECK(out(1, n) == Approx(n ? 1.0 : 0.0).margin(1e-30));
            CHECK(out(2, n) == Approx(n ? 0.0 : 1.0).margin(1e-30));
            CHECK(out(3, n) == Approx(1.0 / (1.0 + std::exp(n ? 2.0 : -2.0))).epsilon(1e-6));
            CHECK(out(4, n) == Approx(1.0 / (1.0 + std::exp(n ? -2.0 : 2.0))).epsilon(1e-6));
            CHECK(out(5, n) == (n ? 0.0f : 1.0f));
            CHECK(out(6, n) == (n ? 1.0f : 0.0f));
            CHECK(out(7, n) == (n ? 0.0f : 1.0f));
            CHECK(out(8, n) == (n ? 1.0f : 0.0f));
        }
    }
}

TEST_CASE("sigmoid: the far negative tail, relative to the value in double, as torch computes it in float32",
          "[sigmoid]") {
    // torch.sigmoid in float32 is 1 / (1 + exp(-z)): exp(-z) overflows past z = -88.72,
    // and from there the result is exactly 0 (torch 2.15: sigmoid(-89.) == 0.), where
    // the value in double is a denormal below 2.3e-39. Up to there every value must
    // agree with double to 1e-6 and one denormal step, so a cut-off of the tail
    // anywhere above -88 is caught.
    const float z[] = {-15.0f, -50.0f, -88.0f, -88.7f, -95.0f, -100.0f, -105.0f};
    const int B = sizeof z / sizeof z[0];
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor coeff = make_tensor({1, B}), out = make_tensor({1, B});
        for (int b = 0; b < B; b++) coeff(b, 0) = z[b];
        REQUIRE(run_module(test::module_named("sigmoid"), d, coeff, {}, out).is_ok());
        for (int b = 0; b < B; b++) {
            const double exact = 1.0 / (1.0 + std::exp(-static_cast<double>(z[b])));
            INFO("sigmoid(" << z[b] << ") = " << out(b, 0) << ", in double " << exact);
            if (std::isinf(std::exp(-z[b]))) {
                CHECK(out(b, 0) == 0.0f);
            } else {
                CHECK(std::abs(out(b, 0) - exact) <= 1e-6 * exact + std::numeric_limits<float>::denorm_min());
            }
        }
    }
}

TEST_CASE("sigmoid: the output has the input's shape, whatever B", "[sigmoid]") {
    Tensor coeff = make_tensor({1, 33}), out = make_tensor({1, 33}), bad = make_tensor({1, 8});
    CHECK(run_module(test::module_named("sigmoid"), Device::cpu, coeff, {}, out).is_ok());
    out.for_each_value([](float v) { CHECK(v == 0.5f); });
    CHECK_FALSE(run_module(test::module_named("sigmoid"), Device::cpu, coeff, {}, bad).is_ok());
}
