// The Linear component's own edge cases, checked against figures worked out by hand.
#include "test_support.h"

using namespace prcm;

namespace {
Tensor matrix(int rows, int cols, std::initializer_list<float> values) {
    Tensor t = make_tensor({rows, cols});
    auto v = values.begin();
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) t(j, i) = *v++;
    return t;
}
}  // namespace

TEST_CASE("linear: out[n, c] = sum_b coeff[n, b] * weight[c, b], C taken from the weight", "[linear]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        const Tensor coeff = matrix(2, 2, {1, 2, 3, -1});
        Weights w;
        w.emplace("weight", matrix(3, 2, {1, 0, 0, 1, 2, -1}));
        Tensor out = make_tensor({2, 3});
        REQUIRE(run_module(test::module_named("linear"), d, coeff, w, out).is_ok());
        const float want[2][3] = {{1, 2, 0}, {3, -1, 7}};
        out.for_each_element([&](int c, int n) { CHECK(out(c, n) == want[n][c]); });
    }
}

TEST_CASE("linear: 65 channels from one basis, past the vector width", "[linear]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        const Tensor coeff = matrix(3, 1, {1, -2, 0.5f});
        Weights w;
        w.emplace("weight", make_tensor({65, 1}));
        w.at("weight").for_each_element([&](int, int c) { w.at("weight")(0, c) = c; });
        Tensor out = make_tensor({3, 65});
        REQUIRE(run_module(test::module_named("linear"), d, coeff, w, out).is_ok());
        out.for_each_element([&](int c, int n) { CHECK(out(c, n) == coeff(0, n) * c); });
    }
}

TEST_CASE("linear: a weight whose B is not the input's is refused, not read", "[linear]") {
    Weights w;
    w.emplace("weight", make_tensor({64, 4}));
    Tensor coeff = make_tensor({1, 8}), out = make_tensor({1, 64});
    const Status s = run_module(test::module_named("linear"), Device::cpu, coeff, w, out);
    INFO(s.message());
    CHECK_FALSE(s.is_ok());
    CHECK(s.message().find("weight") != std::string::npos);
}

TEST_CASE("linear: the output's C must be the weight's", "[linear]") {
    Weights w;
    w.emplace("weight", make_tensor({64, 8}));
    Tensor coeff = make_tensor({1, 8}), out = make_tensor({1, 8});
    const Status s = run_module(test::module_named("linear"), Device::cpu, coeff, w, out);
    CHECK(s.message() == "output shape [1, 8] is not Linear's output shape [1, 64] for input [1, 8]");
}
