// The shift component's own edge cases, checked against figures worked out by hand.
#include "test_support.h"

using namespace prcm;

TEST_CASE("shift: beta[c] is added to channel c of every sample", "[shift]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        // 3 x 24 planes of 65 x 65: past the serial limit, so the pass runs in parallel tasks.
        Tensor x = make_tensor({3, 24, 65, 65});
        x.for_each_element([&](int w, int h, int c, int n) { x(w, h, c, n) = w - h + 0.5f * c - n; });
        Weights weights;
        weights.emplace("beta", make_tensor({1, 24, 1, 1}));
        weights.at("beta").for_each_element([&](int, int, int c, int) { weights.at("beta")(0, 0, c, 0) = 100.0f * c; });
        Tensor out = make_tensor({3, 24, 65, 65});
        REQUIRE(run_module(test::module_named("shift"), d, x, weights, out).is_ok());
        size_t wrong = 0;  // counted rather than checked one by one: 300k elements
        out.for_each_element(
            [&](int w, int h, int c, int n) { wrong += out(w, h, c, n) != x(w, h, c, n) + 100.0f * c; });
        CHECK(wrong == 0);
    }
}

TEST_CASE("shift: a 1x1 plane of one channel", "[shift]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor x = make_tensor({1, 1, 1, 1}), out = make_tensor({1, 1, 1, 1});
        x(0, 0, 0, 0) = 1.25f;
        Weights weights;
        weights.emplace("beta", make_tensor({1, 1, 1, 1}));
        weights.at("beta")(0, 0, 0, 0) = -3.0f;
        REQUIRE(run_module(test::module_named("shift"), d, x, weights, out).is_ok());
        CHECK(out(0, 0, 0, 0) == -1.75f);
    }
}
