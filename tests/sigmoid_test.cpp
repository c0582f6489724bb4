// The sigmoid component's own edge cases, checked against figures worked out by hand.
#include "test_support.h"

#include <cmath>

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

TEST_CASE("sigmoid: the output has the input's shape, whatever B", "[sigmoid]") {
    Tensor coeff = make_tensor({1, 33}), out = make_tensor({1, 33}), bad = make_tensor({1, 8});
    CHECK(run_module(test::module_named("sigmoid"), Device::cpu, coeff, {}, out).is_ok());
    out.for_each_value([](float v) { CHECK(v == 0.5f); });
    CHECK_FALSE(run_module(test::module_named("sigmoid"), Device::cpu, coeff, {}, bad).is_ok());
}
