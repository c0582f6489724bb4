// Non-finite inputs and weights follow PyTorch's IEEE semantics in every module on
// every device: a NaN spreads as torch spreads it (a plane's mean, a sigmoid, a
// ReLU and a BatchNorm all keep it), an infinity stays an infinity or becomes NaN
// where torch's does. The reference is the oracle here; tests/torch_parity_test.py
// holds the reference itself to torch on the same kinds of input.
#include "test_support.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace prcm;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// 2 samples so that one can stay finite; W = 37: two 16-lane vectors and a tail.
const TorchShape kShape{2, 6, 5, 37};

struct Outcome {
    Comparison comparison;
    std::string error;
    size_t nan_count = 0, inf_count = 0;
};

Outcome run_case(const Problem &p, const ProblemData &d) {
    Outcome o;
    Tensor output = make_output(p, d);
    if (Status s = run_module(*p.module, p.device, d.input, d.weights, output, &p.hp); !s) {
        o.error = s.message();
        return o;
    }
    o.comparison = compare(output, p.module->spec->reference(d.input, d.weights, p.hp));
    output.for_each_value([&](float v) {
        o.nan_count += std::isnan(v);
        o.inf_count += std::isinf(v);
    });
    return o;
}

// The library's result on `d` matches the reference, non-finite values included.
void check_case(const Problem &p, const ProblemData &d, const std::string &what) {
    const Outcome o = run_case(p, d);
    INFO(p.replay() << ", " << what << "\n" << failure_details({o.comparison, o.error}, "  "));
    REQUIRE(o.error.empty());
    CHECK(verdict_name(o.comparison.verdict) == std::string("PASSED"));
}

float &element(Tensor &t, size_t flat_index) { return t.data()[flat_index]; }

// A NaN at a third of the input (and, with `second_nan`, one past its middle instead),
// then an infinity there and a negative one at two thirds.
void check_nan_and_infinities(const Problem &p, bool second_nan = false) {
    const size_t count = make_problem_data(p).input.number_of_elements();
    std::vector<size_t> nan_at{count / 3};
    if (second_nan) nan_at.push_back(count / 2 + 5);
    for (size_t at : nan_at) {
        ProblemData data = make_problem_data(p);
        element(data.input, at) = kNaN;
        data.input.set_host_dirty();
        check_case(p, data, "x[flat " + std::to_string(at) + "] = nan");
    }
    ProblemData data = make_problem_data(p);
    element(data.input, count / 3) = kInf;
    element(data.input, 2 * count / 3 + 1) = -kInf;
    data.input.set_host_dirty();
    check_case(
        p, data,
        "x[flat " + std::to_string(count / 3) + "] = inf, x[flat " + std::to_string(2 * count / 3 + 1) + "] = -inf");
}

}  // namespace

TEST_CASE("non-finite: a NaN or an infinity in the input gives what the reference gives", "[nonfinite]") {
    for (const Module &m : modules()) {
        for (Device d : test::devices_to_test()) check_nan_and_infinities(make_problem(m, d, kShape));
    }
}

TEST_CASE("non-finite: PRCM_AdaptivePool's axes that keep their size give what the reference gives", "[nonfinite]") {
    // kShape pools both axes; here one or both keep their size, where an infinity
    // becomes NaN at its own pixels only (torch's one-pixel taps).
    const struct {
        TorchShape shape;
        int pool_size;
    } cases[] = {{{2, 6, 4, 4}, 4}, {{2, 6, 4, 9}, 4}, {{2, 6, 3, 37}, 8}};
    for (Device d : test::devices_to_test()) {
        for (const auto &c : cases) {
            Problem p = make_problem(test::module_named("prcm_adaptive_pool"), d, c.shape);
            p.hp.pool_size = c.pool_size;
            ProblemData data = make_problem_data(p);
            const size_t count = data.input.number_of_elements();
            element(data.input, count / 3) = kInf;
            element(data.input, 2 * count / 3 + 1) = -kInf;
            data.input.set_host_dirty();
            check_case(p, data, "x[flat " + std::to_string(count / 3) + "] = inf, the next third's = -inf");
        }
    }
}

TEST_CASE("non-finite: PRCM_AdaptivePool's planes pooled in a branch of constants give what the reference gives",
          "[nonfinite]") {
    // 4x4, 8x8 and 16x16 into 4x4: the CPU library's branch of constant bins and taps
    // (generators/prcm_adaptive_pool.h, FixedPool) picks each tap's pixel by selects, so a
    // non-finite pixel reaches the pixels torch's taps reach and no others (at 4x4, an
    // infinity turns into NaN at its own pixel: 1 * a + 0 * a).
    for (const TorchShape &shape : {TorchShape{2, 6, 4, 4}, TorchShape{2, 6, 8, 8}, TorchShape{2, 6, 16, 16}}) {
        for (Device d : test::devices_to_test()) {
            Problem p = make_problem(test::module_named("prcm_adaptive_pool"), d, shape);
            p.hp.pool_size = 4;
            check_nan_and_infinities(p, true);
        }
    }
}

TEST_CASE("non-finite: a NaN in any weight gives what the reference gives", "[nonfinite]") {
    for (const Module &m : modules()) {
        for (Device d : test::devices_to_test()) {
            const Problem p = make_problem(m, d, kShape);
            for (const WeightSpec &w : m.spec->weights(kShape[1], p.hp)) {
                ProblemData data = make_problem_data(p);
                Tensor &t = data.weights.at(w.name);
                if (t.number_of_elements() == 0) continue;
                // Known deviation (README, "Non-finite values"): the CPU library pads the
                // plane with zeros and multiplies them by every tap, so a NaN or infinite
                // depthwise weight also reaches the border pixels where torch skips the tap.
                if (w.name == "dw_conv.weight" && d == Device::cpu) continue;
                element(t, t.number_of_elements() / 2) = kNaN;
                t.set_host_dirty();
                check_case(p, data, w.name + "[middle] = nan");
            }
        }
    }
}

// The issue's own example: one NaN in a plane makes that plane's mean NaN, hence
// every gate of the sample and every output of it; the other sample is untouched.
TEST_CASE("non-finite: one NaN in a PRCM plane makes its whole sample NaN, as in PyTorch", "[nonfinite]") {
    for (const char *name : {"prcm", "affine_prcm", "prcm_se", "prcm_basis_expand", "prcm_se_affine", "se"}) {
        const Module &m = test::module_named(name);
        for (Device d : test::devices_to_test()) {
            INFO(name << " on " << device_name(d));
            const Problem p = make_problem(m, d, kShape);
            ProblemData data = make_problem_data(p);
            data.input(3, 2, 1, 0) = kNaN;  // x[0, 1, 2, 3]
            data.input.set_host_dirty();
            Tensor output = make_output(p, data);
            REQUIRE(run_module(m, d, data.input, data.weights, output, &p.hp).is_ok());
            size_t nan_in_first = 0, nan_in_second = 0;
            output.for_each_element([&](int w, int h, int c, int n) {
                (n == 0 ? nan_in_first : nan_in_second) += std::isnan(output(w, h, c, n));
            });
            CHECK(nan_in_first == output.number_of_elements() / 2);
            CHECK(nan_in_second == 0);
        }
    }
}

// BatchNorm in inference divides by sqrt(running_var + eps): a running_var below
// -eps makes the channel NaN (and ReLU keeps it), a zero one is an ordinary channel.
TEST_CASE("non-finite: BatchNorm with a negative or zero running_var, as in PyTorch", "[nonfinite]") {
    for (const char *name : {"inverted_bottleneck", "inverted_bottleneck_res"}) {
        const Module &m = test::module_named(name);
        for (Device d : test::devices_to_test()) {
            for (const char *bn : {"bn1", "bn2", "bn3"}) {
                for (float var : {-1.0f, 0.0f}) {
                    const Problem p = make_problem(m, d, kShape);
                    ProblemData data = make_problem_data(p);
                    data.weights.at(std::string(bn) + ".running_var")(0) = var;
                    check_case(p, data, std::string(bn) + ".running_var[0] = " + std::to_string(var));
                    const Outcome o = run_case(p, data);
                    INFO(name << " on " << device_name(d) << ", " << bn << ".running_var[0] = " << var);
                    if (var < 0) {
                        CHECK(o.nan_count > 0);
                    } else {
                        CHECK(o.nan_count == 0);
                        CHECK(o.inf_count == 0);
                    }
                }
            }
        }
    }
}
