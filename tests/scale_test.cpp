// The scale component's own edge cases, checked against figures worked out by hand.
#include "test_support.h"

using namespace prcm;

namespace {
// A torch [1, C, 1, 1] tensor from its C values.
Tensor per_channel(std::initializer_list<float> values) {
    Tensor t = make_tensor({1, static_cast<int>(values.size()), 1, 1});
    int c = 0;
    for (float v : values) t(0, 0, c++, 0) = v;
    return t;
}
}  // namespace

TEST_CASE("scale: alpha[c] multiplies channel c of every sample", "[scale]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor x = make_tensor({2, 3, 5, 17});
        x.for_each_element([&](int w, int h, int c, int n) { x(w, h, c, n) = w - 2.0f * h + c + 10.0f * n; });
        Weights weights;
        weights.emplace("alpha", per_channel({2.0f, -0.5f, 0.0f}));
        Tensor out = make_tensor({2, 3, 5, 17});
        REQUIRE(run_module(test::module_named("scale"), d, x, weights, out).is_ok());
        const float alpha[] = {2.0f, -0.5f, 0.0f};
        out.for_each_element([&](int w, int h, int c, int n) { CHECK(out(w, h, c, n) == x(w, h, c, n) * alpha[c]); });
    }
}

TEST_CASE("scale: alpha is [1, C, 1, 1], not one per sample", "[scale]") {
    Weights weights;
    weights.emplace("alpha", make_tensor({2, 3, 1, 1}));
    Tensor x = make_tensor({2, 3, 4, 4}), out = make_tensor({2, 3, 4, 4});
    const Status s = run_module(test::module_named("scale"), Device::cpu, x, weights, out);
    CHECK(s.message() ==
          "Scale: weight 'alpha' has shape [2, 3, 1, 1], expected [1, 3, 1, 1] for an input of 3 channels");
}
