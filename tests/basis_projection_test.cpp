// The basis projection's own edge cases, checked against figures worked out by hand.
#include "test_support.h"

using namespace prcm;

namespace {
// A 2-D torch tensor [rows, cols] from its values in row-major order.
Tensor matrix(int rows, int cols, std::initializer_list<float> values) {
    Tensor t = make_tensor({rows, cols});
    auto v = values.begin();
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) t(j, i) = *v++;
    return t;
}
}  // namespace

TEST_CASE("basis_projection: coeff[n, b] = sum_c ctx[n, c] * basis[b, c]", "[basis_projection]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        const Tensor ctx = matrix(2, 3, {1, 2, 3, -1, 0, 4});
        Weights w;
        w.emplace("basis", matrix(2, 3, {1, 0, -1, 0.5f, 0.5f, 0.5f}));
        Tensor coeff = make_tensor({2, 2});
        REQUIRE(run_module(test::module_named("basis_projection"), d, ctx, w, coeff).is_ok());
        CHECK(coeff(0, 0) == -2.0f);
        CHECK(coeff(1, 0) == 3.0f);
        CHECK(coeff(0, 1) == -5.0f);
        CHECK(coeff(1, 1) == 1.5f);
    }
}

TEST_CASE("basis_projection: 32 bases of one channel scale it", "[basis_projection]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        const Tensor ctx = matrix(1, 1, {3});
        Weights w;
        w.emplace("basis", make_tensor({32, 1}));
        w.at("basis").for_each_element([&](int, int b) { w.at("basis")(0, b) = b - 16.0f; });
        Tensor coeff = make_tensor({1, 32});
        REQUIRE(run_module(test::module_named("basis_projection"), d, ctx, w, coeff).is_ok());
        coeff.for_each_element([&](int b, int) { CHECK(coeff(b, 0) == 3.0f * (b - 16)); });
    }
}

TEST_CASE("basis_projection: a basis whose C is not ctx's is refused", "[basis_projection]") {
    Weights w;
    w.emplace("basis", make_tensor({8, 5}));
    Tensor ctx = make_tensor({1, 4}), coeff = make_tensor({1, 8});
    const Status s = run_module(test::module_named("basis_projection"), Device::cpu, ctx, w, coeff);
    CHECK(s.message() ==
          "Basis Projection: weight 'basis' has shape [8, 5], expected [8, 4] for an input of 4 channels");
}
