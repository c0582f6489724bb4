// PRCM_AdaptivePool's own edge cases, checked against figures worked out by hand
// rather than against the reference: overlapping bins, the skipped pooling, a 1x1
// map broadcast by the interpolation, the pool size as a run-time argument, and
// the one-pixel taps of an axis that keeps its size (with an infinity, as torch).
#include <cmath>
#include <limits>

#include "test_support.h"

using namespace prcm;

namespace {

const Module &adaptive_pool() { return test::module_named("prcm_adaptive_pool"); }

// conv1 = [I; -I] and conv2 = [I, -I] (r = 2): relu(v) - relu(-v) == v, so the
// block is the pooling and the interpolation alone.
Weights identity_weights(int channels) {
    Tensor conv1 = make_tensor({2 * channels, channels, 1, 1});  // element (0, 0, in, out)
    Tensor conv2 = make_tensor({channels, 2 * channels, 1, 1});
    for (int c = 0; c < channels; c++) {
        conv1(0, 0, c, c) = 1.0f;
        conv1(0, 0, c, channels + c) = -1.0f;
        conv2(0, 0, c, c) = 1.0f;
        conv2(0, 0, channels + c, c) = -1.0f;
    }
    Weights w;
    w.emplace("conv1.weight", std::move(conv1));
    w.emplace("conv2.weight", std::move(conv2));
    return w;
}

Tensor run(Device d, const Tensor &x, const Weights &w, int pool_size) {
    HyperParams hp = adaptive_pool().spec->defaults;
    hp.pool_size = pool_size;
    Tensor out = make_tensor(torch_shape(x));
    const Status s = run_module(adaptive_pool(), d, x, w, out, &hp);
    INFO(s.message());
    REQUIRE(s.is_ok());
    return out;
}

}  // namespace

TEST_CASE("prcm_adaptive_pool: 3x3 into 2 overlapping bins, then back to 3x3", "[prcm_adaptive_pool]") {
    // Bins [0, 2) and [1, 3) on both axes: the means 3 4 / 6 7; align_corners puts
    // them at the corners and interpolates the middle.
    const float want[3][3] = {{3.0f, 3.5f, 4.0f}, {4.5f, 5.0f, 5.5f}, {6.0f, 6.5f, 7.0f}};
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor x = make_tensor({1, 1, 3, 3});
        x.for_each_element([&](int w, int h, int, int) { x(w, h, 0, 0) = 1.0f + 3 * h + w; });
        const Tensor out = run(d, x, identity_weights(1), 2);
        for (int h = 0; h < 3; h++)
            for (int w = 0; w < 3; w++) CHECK(out(w, h, 0, 0) == want[h][w]);
    }
}

TEST_CASE("prcm_adaptive_pool: bins that do not divide, on a 4x5 ramp into 3x3", "[prcm_adaptive_pool]") {
    // x = w + 10 h. Rows [0,2) [1,3) [2,4) average h to 0.5 1.5 2.5; columns
    // [0,2) [1,4) [3,5) average w to 0.5 2 3.5. Both are straight lines through
    // the pooled indices, so the interpolation gives 10 (2h/3 + 0.5) + 0.5 + 0.75 w.
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor x = make_tensor({2, 3, 4, 5});
        x.for_each_element([&](int w, int h, int c, int n) { x(w, h, c, n) = w + 10.0f * h; });
        const Tensor out = run(d, x, identity_weights(3), 3);
        out.for_each_element([&](int w, int h, int c, int n) {
            CHECK(out(w, h, c, n) == Approx(10.0 * (2.0 * h / 3 + 0.5) + 0.5 + 0.75 * w).epsilon(1e-6));
        });
    }
}

TEST_CASE("prcm_adaptive_pool: H or W below the pool size skips the pooling", "[prcm_adaptive_pool]") {
    // x itself goes through the identity convolutions and an H -> H, W -> W
    // interpolation: x comes back exactly, 1-pixel sides included, and a row so
    // long that its bins' i * W passes 2^31.
    const struct {
        TorchShape shape;
        int pool_size;
    } cases[] = {{{2, 3, 2, 5}, 3}, {{1, 2, 6, 3}, 4}, {{3, 4, 1, 1}, 2},
                 {{1, 1, 1, 9}, 8}, {{2, 2, 7, 1}, 5}, {{1, 1, 1, 50000}, 2}};
    for (Device d : test::devices_to_test()) {
        for (const auto &c : cases) {
            INFO(device_name(d) << " " << shape_string(c.shape) << " pool_size " << c.pool_size);
            Tensor x = make_tensor(c.shape);
            fill_seeded(x, "input", 1, Init::normal);
            const Tensor out = run(d, x, identity_weights(c.shape[1]), c.pool_size);
            out.for_each_element([&](int w, int h, int ch, int n) { CHECK(out(w, h, ch, n) == x(w, h, ch, n)); });
        }
    }
}

TEST_CASE("prcm_adaptive_pool: an axis that keeps its size reads one pixel twice, as torch does",
          "[prcm_adaptive_pool]") {
    // torch's upsample_bilinear2d takes both taps of an unchanged axis from the same
    // pixel (1 * a + 0 * a): an infinity becomes NaN at its own pixels and nowhere else,
    // where a next-pixel upper tap also made NaN of 0 * inf at the pixels above and to
    // the left. C = 1 with identity convolutions (relu(inf) - relu(-inf) = inf); an
    // infinity at (h 1, w 2) of zeros. The NaN columns of row 1, checked with torch 2.15:
    const struct {
        TorchShape shape;
        int pool_size;
        int nan_columns;                 // row 1's columns [0, nan_columns) are NaN, or only column 2 if 0
    } cases[] = {{{1, 1, 4, 4}, 4, 0},   // ps == H == W: both axes unchanged, no table read
                 {{1, 1, 3, 5}, 8, 0},   // H, W < ps: the pooling skipped, the same
                 {{1, 1, 4, 9}, 4, 6}};  // H unchanged; W 9 -> 4 -> 9: bins 0 and 1 hold the
                                         // infinity, and columns 0-5 read them
    for (Device d : test::devices_to_test()) {
        for (const auto &c : cases) {
            INFO(device_name(d) << " " << shape_string(c.shape) << " pool_size " << c.pool_size);
            Tensor x = make_tensor(c.shape);
            x.fill(0.0f);
            x(2, 1, 0, 0) = std::numeric_limits<float>::infinity();
            const Tensor out = run(d, x, identity_weights(1), c.pool_size);
            out.for_each_element([&](int w, int h, int, int) {
                INFO("at h " << h << " w " << w);
                const bool nan = h == 1 && (c.nan_columns == 0 ? w == 2 : w < c.nan_columns);
                if (nan)
                    CHECK(std::isnan(out(w, h, 0, 0)));
                else
                    CHECK(out(w, h, 0, 0) == 0.0f);
            });
        }
    }
}

TEST_CASE("prcm_adaptive_pool: a 1x1 pooled map fills the plane with its transform", "[prcm_adaptive_pool]") {
    // pool_size 1: one bin, the plane's mean; conv1 = [1; 1] and conv2 = [2, -3]
    // give 2 relu(m) - 3 relu(m) = -m for m > 0, broadcast to every pixel.
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor x = make_tensor({2, 1, 3, 4});  // 0..11 + 10 n: mean 5.5 + 10 n
        x.for_each_element([&](int w, int h, int, int n) { x(w, h, 0, n) = 4.0f * h + w + 10.0f * n; });
        Weights weights;
        weights.emplace("conv1.weight", make_tensor({2, 1, 1, 1}));
        weights.emplace("conv2.weight", make_tensor({1, 2, 1, 1}));
        weights.at("conv1.weight").fill(1.0f);
        weights.at("conv2.weight")(0, 0, 0, 0) = 2.0f;
        weights.at("conv2.weight")(0, 0, 1, 0) = -3.0f;
        const Tensor out = run(d, x, weights, 1);
        out.for_each_element([&](int w, int h, int, int n) { CHECK(out(w, h, 0, n) == -(5.5f + 10.0f * n)); });
    }
}

TEST_CASE("prcm_adaptive_pool: the ReLU cuts a negative pooled map to zero", "[prcm_adaptive_pool]") {
    // r = 1 with identity convolutions: relu(mean) of each of the four 4x4 bins.
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor x = make_tensor({1, 1, 8, 8});
        x.for_each_element([&](int w, int h, int, int) { x(w, h, 0, 0) = (w < 4 ? -1.0f : 2.0f); });
        Weights weights;
        weights.emplace("conv1.weight", make_tensor({1, 1, 1, 1}));
        weights.emplace("conv2.weight", make_tensor({1, 1, 1, 1}));
        weights.at("conv1.weight").fill(1.0f);
        weights.at("conv2.weight").fill(1.0f);
        const Tensor out = run(d, x, weights, 2);
        // Columns pooled to relu(-1) = 0 and 2, interpolated across the 8 columns.
        out.for_each_element(
            [&](int w, int h, int, int) { CHECK(out(w, h, 0, 0) == Approx(2.0 * w / 7).epsilon(1e-6)); });
    }
}

TEST_CASE("prcm_adaptive_pool: the pool size is an argument of the one library", "[prcm_adaptive_pool]") {
    // x = w on 8x8: ps 4 pools to 2i + 0.5 and gives 6w/7 + 0.5; ps 2 pools to
    // 4i + 1.5 and gives 4w/7 + 1.5.
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor x = make_tensor({1, 2, 8, 8});
        x.for_each_element([&](int w, int h, int c, int n) { x(w, h, c, n) = float(w); });
        const Tensor four = run(d, x, identity_weights(2), 4);
        const Tensor two = run(d, x, identity_weights(2), 2);
        four.for_each_element([&](int w, int h, int c, int n) {
            CHECK(four(w, h, c, n) == Approx(6.0 * w / 7 + 0.5).epsilon(1e-6));
            CHECK(two(w, h, c, n) == Approx(4.0 * w / 7 + 1.5).epsilon(1e-6));
        });
    }
    HyperParams hp = adaptive_pool().spec->defaults;
    hp.pool_size = 5;
    CHECK(adaptive_pool().spec->scalar_argument("pool_size", hp) == 5);
}

TEST_CASE("prcm_adaptive_pool: a pool size below 1 is refused by the library", "[prcm_adaptive_pool]") {
    Tensor x = make_tensor({1, 2, 4, 4});
    Tensor out = make_tensor({1, 2, 4, 4});
    HyperParams hp = adaptive_pool().spec->defaults;
    hp.pool_size = 0;
    const Status s = run_module(adaptive_pool(), Device::cpu, x, identity_weights(2), out, &hp);
    INFO(s.message());
    CHECK_FALSE(s.is_ok());
    CHECK(s.message().find("pool_size") != std::string::npos);
}

TEST_CASE("prcm_adaptive_pool: a draw the ReLU silences is drawn again, not mistrusted", "[prcm_adaptive_pool]") {
    // C = 1, r = 1: one hidden unit; this seed's conv1 weight and four pooled
    // pixels have opposite signs, so its reference is all zeros.
    Problem p = make_problem(adaptive_pool(), Device::cpu, {1, 1, 2, 8});
    p.hp.expansion = 1;
    p.seed = 5;
    const ProblemData first = make_problem_data(p);
    REQUIRE(mostly_zero(adaptive_pool().spec->reference(first.input, first.weights, p.hp)));
    for (Device d : test::devices_to_test()) {
        p.device = d;
        test::check_problem(p);
    }
}

TEST_CASE("prcm_adaptive_pool: each group of columns finds its taps in its window of the pooled row",
          "[prcm_adaptive_pool]") {
    // On CPUs the taps of 16 columns are picked out of a window of the pooled row,
    // sized from PW / W (generators/prcm_adaptive_pool.cpp). Rows that barely shrink
    // fill their windows: W 33 -> 18 needs all but the one spare column (found by
    // trying every W < 700), 65 -> 64 and 200 -> 190 the most columns; 64 -> 32 is
    // the notebooks' largest pool. Against the reference, with random weights.
    const struct {
        TorchShape shape;
        int pool_size;
    } cases[] = {{{1, 3, 20, 33}, 18}, {{2, 2, 64, 65}, 64}, {{1, 1, 190, 200}, 190}, {{1, 5, 32, 64}, 32}};
    for (Device d : test::devices_to_test()) {
        for (const auto &c : cases) {
            Problem p = make_problem(adaptive_pool(), d, c.shape);
            p.hp.pool_size = c.pool_size;
            test::check_problem(p);
        }
    }
}

TEST_CASE("prcm_adaptive_pool: the planes the CPU library pools in a branch of constants match the reference",
          "[prcm_adaptive_pool]") {
    // 4x4, 8x8 and 16x16 pooled to 4x4 take a branch of their own on CPUs, the bins and
    // the interpolation's taps constants there (FixedPool in generators/prcm_adaptive_pool.h);
    // their neighbours (one side or the pool size off) take the general one. Batches,
    // odd channel counts, r = 1 and 4, against the reference with random weights.
    const struct {
        TorchShape shape;
        int pool_size, expansion;
    } cases[] = {{{1, 128, 8, 8}, 4, 2}, {{3, 5, 8, 8}, 4, 1},  {{2, 7, 16, 16}, 4, 4}, {{1, 64, 16, 16}, 4, 2},
                 {{1, 6, 8, 16}, 4, 2},  {{1, 6, 16, 8}, 4, 2}, {{1, 6, 8, 8}, 2, 2},   {{1, 6, 16, 16}, 8, 2},
                 {{1, 128, 4, 4}, 4, 2}, {{3, 5, 4, 4}, 4, 4},  {{1, 6, 4, 4}, 2, 2},   {{1, 6, 4, 4}, 8, 2},
                 {{1, 6, 4, 5}, 4, 2},   {{1, 6, 5, 4}, 4, 2}};
    for (Device d : test::devices_to_test()) {
        for (const auto &c : cases) {
            Problem p = make_problem(adaptive_pool(), d, c.shape);
            p.hp.pool_size = c.pool_size;
            p.hp.expansion = c.expansion;
            INFO("ps " << c.pool_size << ", r " << c.expansion);
            test::check_problem(p);
        }
    }
}
