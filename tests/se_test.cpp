// SE_Module's own edge cases, checked against figures worked out by hand,
// including the hidden width of 0 that C < r gives in PyTorch.
#include "test_support.h"

#include <cmath>

using namespace prcm;

namespace {
double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

Weights se_weights(int channels, int hidden) {
    Weights w;
    w.emplace("fc1.weight", make_tensor({hidden, channels}));
    w.emplace("fc1.bias", make_tensor({hidden}));
    w.emplace("fc2.weight", make_tensor({channels, hidden}));
    w.emplace("fc2.bias", make_tensor({channels}));
    return w;
}
}  // namespace

TEST_CASE("se: zero fc2 weight and bias gate every channel by exactly one half", "[se]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Problem p;
        p.module = &test::module_named("se");
        p.shape = {2, 8, 5, 3};
        ProblemData data = make_problem_data(p);
        data.weights.at("fc2.weight").fill(0.0f);
        data.weights.at("fc2.bias").fill(0.0f);
        Tensor out = make_tensor(p.shape);
        REQUIRE(run_module(*p.module, d, data.input, data.weights, out).is_ok());
        out.for_each_element(
            [&](int w, int h, int c, int n) { CHECK(out(w, h, c, n) == 0.5f * data.input(w, h, c, n)); });
    }
}

TEST_CASE("se: C=1, r=4 has no hidden units: the gate is sigmoid(fc2.bias)", "[se]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor x = make_tensor({2, 1, 3, 5});
        x.for_each_element([&](int w, int h, int c, int n) { x(w, h, c, n) = 1.0f + w - 2.0f * h + 7.0f * n; });
        Weights w = se_weights(1, 0);
        w.at("fc2.bias").fill(0.7f);
        HyperParams hp;
        hp.reduction = 4;
        Tensor out = make_tensor({2, 1, 3, 5});
        REQUIRE(run_module(test::module_named("se"), d, x, w, out, &hp).is_ok());
        const double gate = sigmoid(0.7);
        out.for_each_element(
            [&](int i, int j, int c, int n) { CHECK(out(i, j, c, n) == Approx(x(i, j, c, n) * gate).epsilon(1e-6)); });
    }
}

TEST_CASE("se: the biases are added and relu clips a negative hidden unit", "[se]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        // C=1, r=1; sample 0 has mean 2: fc1 = 2*2 - 1 = 3, fc2 = 3*3 + 0.5 = 9.5.
        // Sample 1 has mean -2: fc1 = -5, relu 0, fc2 = 0.5.
        Tensor x = make_tensor({2, 1, 1, 3});
        for (int i = 0; i < 3; i++) {
            x(i, 0, 0, 0) = 1.0f + i;
            x(i, 0, 0, 1) = -(1.0f + i);
        }
        Weights w = se_weights(1, 1);
        w.at("fc1.weight").fill(2.0f);
        w.at("fc1.bias").fill(-1.0f);
        w.at("fc2.weight").fill(3.0f);
        w.at("fc2.bias").fill(0.5f);
        HyperParams hp;
        hp.reduction = 1;
        Tensor out = make_tensor({2, 1, 1, 3});
        REQUIRE(run_module(test::module_named("se"), d, x, w, out, &hp).is_ok());
        const double gate[2] = {sigmoid(9.5), sigmoid(0.5)};
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 3; i++) CHECK(out(i, 0, 0, n) == Approx(x(i, 0, 0, n) * gate[n]).epsilon(1e-6));
    }
}

TEST_CASE("se: the reduction is implied through C // r alone", "[se]") {
    const ModuleSpec &spec = *test::module_named("se").spec;
    HyperParams hp;
    hp.reduction = 4;
    // 10 // 3 == 3: a hidden width of 3 is some r's, though not the given one's.
    CHECK(check_weights(spec, 10, se_weights(10, 3), &hp).is_ok());
    CHECK(10 / hp.reduction == 3);
    // 10 // r is 10, 5, 3, 2, ...: no r gives 4.
    hp.reduction = 4;
    CHECK_FALSE(check_weights(spec, 10, se_weights(10, 4), &hp).is_ok());
    // C < r: hidden 0, the given r kept.
    hp.reduction = 16;
    CHECK(check_weights(spec, 3, se_weights(3, 0), &hp).is_ok());
    CHECK(hp.reduction == 16);
}

TEST_CASE("se: the notebook's parameter count", "[se]") {
    const ModuleSpec &spec = *test::module_named("se").spec;
    CHECK(parameter_count(spec, 64, spec.defaults) == 2128);  // 64*16 + 16 + 16*64 + 64
}
