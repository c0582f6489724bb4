// compare(), which every verification goes through: its tolerance on both sides
// of the line, non-finite values, shapes and the mistrust of an all-zero result.
#include "test_support.h"

#include <cmath>
#include <limits>

using namespace prcm;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A [1, 1, 1, 2] pair: element 0 agrees exactly; element 1 is got against want.
Comparison compare_one(double got, double want) {
    Tensor g = make_tensor({1, 1, 1, 2});
    RefTensor w({1, 1, 1, 2});
    g(0, 0, 0, 0) = 3.0f;
    w.data[0] = 3.0;
    g(1, 0, 0, 0) = static_cast<float>(got);
    w.data[1] = want;
    return compare(g, w);
}

std::string verdict(double got, double want) { return verdict_name(compare_one(got, want).verdict); }

// The tolerance as the README states it, written out rather than read from
// kTolerance: a test that took its bound from the code under test would move with
// it (so it did, until scripts/mutation_check.sh made the tolerance 1000x looser).
double documented_tolerance(double want) { return 1e-5 + 1e-4 * std::abs(want); }

// The float nearest to want + f * (the tolerance at want): f just over or just under 1.
double off_by(double want, double f) { return static_cast<float>(want + f * documented_tolerance(want)); }
}  // namespace

TEST_CASE("compare: the tolerance holds just under its bound and fails just over it", "[verify]") {
    // Where the absolute term rules (want 0) and where the relative one does (want 1000).
    for (double want : {0.0, 1000.0, -1000.0}) {
        INFO("want " << want);
        CHECK(verdict(off_by(want, 0.99), want) == "PASSED");
        CHECK(verdict(off_by(want, -0.99), want) == "PASSED");
        CHECK(verdict(off_by(want, 1.01), want) == "FAILED");
        CHECK(verdict(off_by(want, -1.01), want) == "FAILED");
    }
    const Comparison c = compare_one(off_by(1000.0, 1.01), 1000.0);
    CHECK(c.mismatches == 1);
    CHECK(c.max_abs == Approx(1.01 * documented_tolerance(1000.0)).epsilon(1e-3));
}

TEST_CASE("compare: NaN matches only NaN, an infinity only the same infinity", "[verify]") {
    CHECK(verdict(kNaN, kNaN) == "PASSED");
    CHECK(verdict(kNaN, 1.0) == "FAILED");
    CHECK(verdict(1.0, kNaN) == "FAILED");
    CHECK(verdict(kNaN, kInf) == "FAILED");
    CHECK(verdict(kInf, kNaN) == "FAILED");
    CHECK(verdict(kInf, kInf) == "PASSED");
    CHECK(verdict(-kInf, -kInf) == "PASSED");
    CHECK(verdict(kInf, -kInf) == "FAILED");
    CHECK(verdict(-kInf, kInf) == "FAILED");
    CHECK(verdict(std::numeric_limits<float>::max(), kInf) == "FAILED");
    CHECK(verdict(kInf, std::numeric_limits<float>::max()) == "FAILED");
    CHECK(verdict(0.0, kInf) == "FAILED");
    // A matching NaN is no error; a mismatching one is the largest there is.
    CHECK(compare_one(kNaN, kNaN).max_abs == 0.0);
    CHECK(compare_one(kNaN, 1.0).max_abs == kInf);
}

TEST_CASE("compare: a mismatch is reported with its (n, c, h, w), the first five of them", "[verify]") {
    Tensor got = make_tensor({2, 3, 4, 5});
    RefTensor want({2, 3, 4, 5});
    for (size_t i = 0; i < want.data.size(); i++) want.data[i] = 1.0 + i;
    got.for_each_element([&](int w, int h, int c, int n) { got(w, h, c, n) = 1.0f + ((n * 3 + c) * 4 + h) * 5 + w; });
    REQUIRE(verdict_name(compare(got, want).verdict) == std::string("PASSED"));

    got(4, 3, 2, 1) = -1.0f;  // the last element: n=1, c=2, h=3, w=4
    got(1, 0, 0, 0) = 99.0f;  // the second: w=1
    Comparison r = compare(got, want);
    CHECK(verdict_name(r.verdict) == std::string("FAILED"));
    CHECK(r.mismatches == 2);
    REQUIRE(r.first_mismatches.size() == 2);
    CHECK(r.first_mismatches[0] == "(n=0, c=0, h=0, w=1): got 99, want 2");
    CHECK(r.first_mismatches[1] == "(n=1, c=2, h=3, w=4): got -1, want 120");

    got.fill(0.0f);
    r = compare(got, want);
    CHECK(r.mismatches == want.data.size());
    CHECK(r.first_mismatches.size() == 5);
}

TEST_CASE("compare: a shape that differs fails before any element is read", "[verify]") {
    const Tensor got = make_tensor({1, 2, 3, 4});
    const RefTensor transposed({1, 2, 4, 3}), fewer_dims({2, 3, 4});
    for (const RefTensor *want : {&transposed, &fewer_dims}) {
        const Comparison r = compare(got, *want);
        CHECK(verdict_name(r.verdict) == std::string("FAILED"));
        REQUIRE(r.first_mismatches.size() == 1);
        CHECK(r.first_mismatches[0] == "shape [1, 2, 3, 4], want " + shape_string(want->shape));
    }
}

TEST_CASE("compare: a result of nearly all zeros is MISTRUSTED, not PASSED", "[verify]") {
    // 100 elements; the reference is zero (within atol) in `zeros` of them.
    auto verdict_with_zeros = [](int zeros) {
        Tensor got = make_tensor({1, 1, 10, 10});
        RefTensor want({1, 1, 10, 10});
        for (int i = zeros; i < 100; i++) {
            want.data[i] = 0.5;
            got(i % 10, i / 10, 0, 0) = 0.5f;
        }
        return std::string(verdict_name(compare(got, want).verdict));
    };
    CHECK(verdict_with_zeros(100) == "MISTRUSTED");
    CHECK(verdict_with_zeros(91) == "MISTRUSTED");
    CHECK(verdict_with_zeros(90) == "PASSED");
    CHECK(verdict_with_zeros(0) == "PASSED");
    // A wrong element outranks the mistrust: the verdict is FAILED.
    Tensor got = make_tensor({1, 1, 10, 10});
    RefTensor want({1, 1, 10, 10});
    want.data[7] = 1.0;
    CHECK(verdict_name(compare(got, want).verdict) == std::string("FAILED"));
    // Below 16 elements zeros are no sign of anything.
    CHECK(verdict(0.0, 0.0) == "PASSED");
}
