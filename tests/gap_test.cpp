// The global average pool's own edge cases, checked against figures worked out by hand.
#include "test_support.h"

using namespace prcm;

TEST_CASE("gap: each (n, c) plane gives its own mean", "[gap]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        // [2, 3, 2, 3]: plane (n, c) holds (1..6) * (c + 1) + 100 n, mean 3.5 * (c + 1) + 100 n.
        Tensor x = make_tensor({2, 3, 2, 3});
        x.for_each_element(
            [&](int w, int h, int c, int n) { x(w, h, c, n) = (1 + w + 3 * h) * (c + 1.0f) + 100.0f * n; });
        Tensor out = make_tensor({2, 3});
        REQUIRE(run_module(test::module_named("gap"), d, x, {}, out).is_ok());
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++) CHECK(out(c, n) == 3.5f * (c + 1) + 100.0f * n);
    }
}

TEST_CASE("gap: a 1x1 plane is its own mean", "[gap]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor x = make_tensor({3, 5, 1, 1});
        x.for_each_element([&](int, int, int c, int n) { x(0, 0, c, n) = c - 7.5f * n; });
        Tensor out = make_tensor({3, 5});
        REQUIRE(run_module(test::module_named("gap"), d, x, {}, out).is_ok());
        out.for_each_element([&](int c, int n) { CHECK(out(c, n) == c - 7.5f * n); });
    }
}

TEST_CASE("gap: 65x65 planes with a ragged vector tail, split into parallel tasks", "[gap]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        // 2 x 16 planes of 4225 elements: past the serial limit; every plane a constant
        // whose sums stay exact in float, so the mean is exact.
        Tensor x = make_tensor({2, 16, 65, 65});
        x.for_each_element([&](int w, int h, int c, int n) { x(w, h, c, n) = c + 20.0f * n - 4.0f; });
        Tensor out = make_tensor({2, 16});
        REQUIRE(run_module(test::module_named("gap"), d, x, {}, out).is_ok());
        out.for_each_element([&](int c, int n) { CHECK(out(c, n) == c + 20.0f * n - 4.0f); });
    }
}

TEST_CASE("gap: the output must be [N, C]", "[gap]") {
    Tensor x = make_tensor({2, 3, 4, 4}), out = make_tensor({2, 3, 1, 1});
    const Status s = run_module(test::module_named("gap"), Device::cpu, x, {}, out);
    CHECK(s.message() ==
          "output shape [2, 3, 1, 1] is not Global Avg Pool's output shape [2, 3] for input [2, 3, 4, 4]");
}
