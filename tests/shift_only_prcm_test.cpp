// ShiftOnlyPRCM's own edge cases, checked against figures worked out by hand.
#include "test_support.h"

using namespace prcm;

TEST_CASE("shift_only_prcm: a zero shift_proj gives exactly x", "[shift_only_prcm]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Problem p;
        p.module = &test::module_named("shift_only_prcm");
        p.shape = {2, 5, 7, 3};
        ProblemData data = make_problem_data(p);
        data.weights.at("shift_proj.weight").fill(0.0f);
        Tensor out = make_tensor(p.shape);
        REQUIRE(run_module(*p.module, d, data.input, data.weights, out).is_ok());
        out.for_each_element([&](int w, int h, int c, int n) { CHECK(out(w, h, c, n) == data.input(w, h, c, n)); });
    }
}

TEST_CASE("shift_only_prcm: two channels of known mean, one basis", "[shift_only_prcm]") {
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        // Means 2 and 6; basis [0.5, 0.25] gives coeff 2.5; shift_proj [2, -1] gives shifts 5 and -2.5.
        Tensor x = make_tensor({1, 2, 1, 3});
        const float planes[2][3] = {{1.0f, 2.0f, 3.0f}, {4.0f, 4.0f, 10.0f}};
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 3; i++) x(i, 0, c, 0) = planes[c][i];
        Weights w;
        w.emplace("basis", make_tensor({1, 2}));
        w.emplace("shift_proj.weight", make_tensor({2, 1}));
        w.at("basis")(0, 0) = 0.5f;
        w.at("basis")(1, 0) = 0.25f;
        w.at("shift_proj.weight")(0, 0) = 2.0f;
        w.at("shift_proj.weight")(0, 1) = -1.0f;
        Tensor out = make_tensor({1, 2, 1, 3});
        REQUIRE(run_module(test::module_named("shift_only_prcm"), d, x, w, out).is_ok());
        const double shift[2] = {5.0, -2.5};
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 3; i++) CHECK(out(i, 0, c, 0) == Approx(planes[c][i] + shift[c]).epsilon(1e-6));
    }
}

TEST_CASE("shift_only_prcm: 2 * B * C parameters", "[shift_only_prcm]") {
    const ModuleSpec &spec = *test::module_named("shift_only_prcm").spec;
    CHECK(parameter_count(spec, 64, spec.defaults) == 1024);
}
