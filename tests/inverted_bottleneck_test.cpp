// InvertedBottleneck's own edge cases, checked against figures worked out by hand
// rather than against the reference; and that neither the thread pool's size nor its
// CPU library's cpu_threads input changes what it computes.
#include "bottleneck_test_support.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

using namespace prcm;
using test::conv1x1;
using test::dw_tap;

TEST_CASE("inverted_bottleneck: a centred delta kernel and identity 1x1 convs give relu(x) + bn3's shift",
          "[inverted_bottleneck]") {
    const int channels = 5, k = 5;
    Weights w = test::identity_bottleneck("inverted_bottleneck", channels, 1, k);
    for (int c = 0; c < channels; c++) {
        dw_tap(w, c, k / 2, k / 2) = 1.0f;
        conv1x1(w, "expand.weight", c, c) = 1.0f;
        conv1x1(w, "project.weight", c, c) = 1.0f;
        w.at("bn3.bias")(c) = 0.25f;
    }
    Tensor x = make_tensor({2, channels, 6, 19});
    fill_seeded(x, "input", 1, Init::normal);
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor out = make_tensor(torch_shape(x));
        REQUIRE(run_module(test::module_named("inverted_bottleneck"), d, x, w, out).is_ok());
        out.for_each_element([&](int i, int j, int c, int n) {
            CHECK(out(i, j, c, n) == Approx(std::max(x(i, j, c, n), 0.0f) + 0.25f).margin(1e-6));
        });
    }
}

TEST_CASE("inverted_bottleneck: zero padding: a kernel of ones over a plane of ones counts the taps inside",
          "[inverted_bottleneck]") {
    // k = 7 is wider than a 4 x 5 plane: every output sees the whole plane's edge. At
    // k = 7 the widths 4, 7, 8, 14, 16, 28, 32, 56, 64 and 112 stage the padded plane
    // through unrolled vectors whose border selects fold away, so each gets its own plane;
    // 112 in tall planes' branch only (H a multiple of 16, 32 or more), 28 and 56 not there.
    struct Case {
        int k, W, H;
    };
    for (auto [k, W, H] : {Case{3, 5, 4},
                           {7, 5, 4},
                           {7, 4, 4},
                           {7, 7, 4},
                           {7, 8, 4},
                           {7, 14, 4},
                           {7, 16, 4},
                           {7, 28, 4},
                           {7, 32, 4},
                           {7, 56, 4},
                           {7, 64, 4},
                           {7, 112, 32},
                           {7, 28, 32}}) {
        const int channels = 3;
        Weights w = test::identity_bottleneck("inverted_bottleneck", channels, 1, k);
        w.at("dw_conv.weight").fill(1.0f);
        for (int c = 0; c < channels; c++) {
            conv1x1(w, "expand.weight", c, c) = 1.0f;
            conv1x1(w, "project.weight", c, c) = 1.0f;
        }
        Tensor x = make_tensor({1, channels, H, W});
        x.for_each_element([&](int i, int j, int c, int n) { x(i, j, c, n) = c + 1.0f; });
        auto inside = [&](int p, int size) { return std::min(p + k / 2, size - 1) - std::max(p - k / 2, 0) + 1; };
        for (Device d : test::devices_to_test()) {
            INFO(device_name(d) << ", k = " << k << ", W = " << W << ", H = " << H);
            Tensor out = make_tensor(torch_shape(x));
            REQUIRE(run_module(test::module_named("inverted_bottleneck"), d, x, w, out).is_ok());
            out.for_each_element([&](int i, int j, int c, int n) {
                CHECK(out(i, j, c, n) == Approx((c + 1.0) * inside(j, H) * inside(i, W)).epsilon(1e-6));
            });
        }
    }
}

TEST_CASE("inverted_bottleneck: on a 1x1 plane only the kernel's centre tap reaches the output",
          "[inverted_bottleneck]") {
    // C = 2, r = 2, k = 7; every tap but the centre is 7 and must not count.
    Weights w = test::identity_bottleneck("inverted_bottleneck", 2, 2, 7);
    w.at("dw_conv.weight").fill(7.0f);
    dw_tap(w, 0, 3, 3) = 2.0f;
    dw_tap(w, 1, 3, 3) = 3.0f;
    const float expand[4][2] = {{1, 0}, {0, 1}, {1, 1}, {-1, 0}};
    const float project[2][4] = {{1, 1, 1, 1}, {0.5f, 0.25f, 0, 2}};
    for (int o = 0; o < 4; o++) {
        for (int c = 0; c < 2; c++) {
            conv1x1(w, "expand.weight", o, c) = expand[o][c];
            conv1x1(w, "project.weight", c, o) = project[c][o];
        }
    }
    Tensor x = make_tensor({2, 2, 1, 1});
    x(0, 0, 0, 0) = 1.5f,
               x(0, 0, 1, 0) = -2.0f;  // dw: [3, -6] -> relu [3, 0] -> expand [3, 0, 3, -3] -> relu [3, 0, 3, 0]
    x(0, 0, 0, 1) = -1.0f, x(0, 0, 1, 1) = 4.0f;  // dw: [-2, 12] -> relu [0, 12] -> expand [0, 12, 12, 0]
    const float want[2][2] = {{6.0f, 1.5f}, {24.0f, 3.0f}};
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor out = make_tensor({2, 2, 1, 1});
        REQUIRE(run_module(test::module_named("inverted_bottleneck"), d, x, w, out).is_ok());
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 2; c++) CHECK(out(0, 0, c, n) == Approx(want[n][c]).epsilon(1e-6));
    }
}

TEST_CASE("inverted_bottleneck: BatchNorm uses its running statistics with eps 1e-5", "[inverted_bottleneck]") {
    // One channel, r = 1, k = 1: three scalar chains worked through the notebook's formula.
    Weights w = test::identity_bottleneck("inverted_bottleneck", 1, 1, 1);
    w.at("dw_conv.weight")(0, 0, 0, 0) = 1.0f;
    w.at("expand.weight")(0, 0, 0, 0) = 1.5f;
    w.at("project.weight")(0, 0, 0, 0) = -2.0f;
    const struct {
        const char *name;
        float mean, var, gamma, beta;
    } norms[] = {
        {"bn1", 0.5f, 3.0f, 2.0f, -0.25f}, {"bn2", 0.1f, 0.5f, 0.75f, 0.2f}, {"bn3", -0.3f, 2.0f, 1.25f, 0.1f}};
    for (const auto &b : norms) {
        const std::string name = b.name;
        w.at(name + ".running_mean")(0) = b.mean;
        w.at(name + ".running_var")(0) = b.var;
        w.at(name + ".weight")(0) = b.gamma;
        w.at(name + ".bias")(0) = b.beta;
    }
    auto bn = [&](int i, double v) {
        const auto &b = norms[i];
        return (v - b.mean) / std::sqrt(b.var + 1e-5) * b.gamma + b.beta;
    };
    Tensor x = make_tensor({1, 1, 1, 3});
    const float values[] = {-1.0f, 0.5f, 2.0f};
    for (int i = 0; i < 3; i++) x(i, 0, 0, 0) = values[i];
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        Tensor out = make_tensor({1, 1, 1, 3});
        REQUIRE(run_module(test::module_named("inverted_bottleneck"), d, x, w, out).is_ok());
        for (int i = 0; i < 3; i++) {
            const double a1 = std::max(bn(0, values[i]), 0.0);
            const double a2 = std::max(bn(1, 1.5 * a1), 0.0);
            CHECK(out(i, 0, 0, 0) == Approx(bn(2, -2.0 * a2)).epsilon(1e-6));
        }
    }
}

TEST_CASE("inverted_bottleneck: an even kernel, which would change the plane's size, is refused",
          "[inverted_bottleneck]") {
    Weights w = test::identity_bottleneck("inverted_bottleneck", 3, 2, 4);
    Tensor x = make_tensor({1, 3, 8, 8});
    Tensor out = make_tensor({1, 3, 8, 8});
    const Status s = run_module(test::module_named("inverted_bottleneck"), Device::cpu, x, w, out);
    INFO(s.message());
    CHECK_FALSE(s.is_ok());
    CHECK(s.message().find("dw_conv_weight") != std::string::npos);
}

namespace {
// A stand-in for the library that records the cpu_threads call_prepared passed.
int recorded_threads_slot = -1, recorded_threads = 0;
int record_threads(void **args) {
    recorded_threads = *static_cast<const int *>(args[recorded_threads_slot]);
    return 0;
}
}  // namespace

TEST_CASE("inverted_bottleneck: call_prepared passes the pool's size as the CPU library's cpu_threads",
          "[inverted_bottleneck]") {
    const Module &m = test::module_named("inverted_bottleneck");
    Problem p = make_problem(m, Device::cpu, {1, 16, 4, 4});
    ProblemData d = make_problem_data(p);
    Tensor out = make_output(p, d);
    PreparedCall c;
    const Status prepared = prepare_call(m, Device::cpu, d.input, d.weights, out, &c, &p.hp);
    INFO(prepared.message());
    REQUIRE(prepared.is_ok());
    REQUIRE(c.threads_slot >= 0);
    Library recording = *c.library;
    recording.argv = record_threads;
    c.library = &recording;
    recorded_threads_slot = c.threads_slot;
    for (int threads : {1, 2, 5, 1}) {
        set_cpu_threads(threads);
        recorded_threads = 0;
        REQUIRE(call_prepared(c, d.input, out).is_ok());
        CHECK(recorded_threads == threads);
    }
    set_cpu_threads(0);
}

TEST_CASE("inverted_bottleneck: neither the pool's size nor cpu_threads changes the result", "[inverted_bottleneck]") {
    const Module &m = test::module_named("inverted_bottleneck");
    // One strip (a 4 x 4 sample: one core, each core half the output, its project's sum in
    // two halves of the hidden channels, or its channel tiles split), on either side of
    // serial_macs, 2 M and channel_split_macs, with hidden channels that halve into whole
    // tiles or not (140 x 4 = 560: 288 + 272); a batch; a plane of 3 rows; a 4 x 8 plane;
    // a plane of two strips (8x8, and with a batch and a last channel tile cut short); 7x7,
    // whose rows the 8x8 tiles take padded; planes narrower than half a vector (6x6: one strip
    // of 8-row tiles on one core, two strips of 4-row tiles on two; 5 rows of 3; a batch of 2x2);
    // a batch of 4x4 planes whose tiles take a pair of samples (6; 2 takes one sample a tile).
    const std::vector<TorchShape> shapes{{1, 128, 4, 4}, {1, 256, 4, 4}, {1, 16, 4, 4},  {1, 40, 4, 4},
                                         {1, 140, 4, 4}, {2, 128, 4, 4}, {1, 128, 3, 4}, {1, 136, 4, 4},
                                         {1, 128, 4, 8}, {1, 128, 8, 8}, {2, 20, 8, 8},  {1, 64, 7, 7},
                                         {1, 64, 6, 6},  {1, 24, 5, 3},  {3, 40, 2, 2},  {6, 24, 4, 4}};
    for (const TorchShape &shape : shapes) {
        for (int expansion : {2, 4}) {
            Problem p = make_problem(m, Device::cpu, shape);
            p.hp.expansion = expansion;
            INFO(p.replay());
            set_cpu_threads(2);
            test::check_problem(p);  // on the pool's two threads, against the reference
            ProblemData d = make_problem_data(p);
            Tensor first = make_output(p, d);
            PreparedCall c;
            REQUIRE(prepare_call(m, Device::cpu, d.input, d.weights, first, &c, &p.hp).is_ok());
            REQUIRE(c.threads_slot >= 0);
            bool have_first = false;
            for (int pool : {1, 2}) {
                set_cpu_threads(pool);
                for (int threads : {1, 2, 3, 64, 0, -1}) {
                    INFO("pool " << pool << ", cpu_threads " << threads);
                    Tensor out = make_output(p, d);
                    std::vector<void *> args = c.argv;
                    args[c.input_slot] = d.input.raw_buffer();
                    args[c.output_slot] = out.raw_buffer();
                    args[c.threads_slot] = &threads;
                    REQUIRE(c.library->argv(args.data()) == 0);
                    if (!have_first) {
                        first = std::move(out);
                        have_first = true;
                        continue;
                    }
                    // The same sums in the same order, on whichever core: equal bit for bit.
                    CHECK(std::memcmp(out.data(), first.data(), first.size_in_bytes()) == 0);
                }
            }
        }
    }
    set_cpu_threads(0);
}

// A CPU twin of the bottleneck (`schedule`: flat, channels) against the reference at each shape,
// at k = 3 (r = 4) and the notebooks' unrolled k = 7 (r = 2), on pools of 2, 1 and 3 threads: a
// pixel's sums do not depend on its tile or task, so every pool's result is equal bit for bit.
static void check_twin_against_reference(const char *schedule, const std::vector<TorchShape> &shapes) {
    for (const char *name : {"inverted_bottleneck", "inverted_bottleneck_res"}) {
        const Module &m = test::module_named(name);
        if (!m.library(Device::cpu, schedule)) continue;
        for (const TorchShape &shape : shapes) {
            for (int k : {3, 7}) {
                Problem p = make_problem(m, Device::cpu, shape);
                p.schedule = schedule;
                p.hp.kernel_size = k;
                p.hp.expansion = k == 3 ? 4 : 2;
                INFO(p.replay());
                ProblemData d = make_problem_data(p);
                Tensor first = make_output(p, d);
                PreparedCall c;
                REQUIRE(prepare_call(m, Device::cpu, d.input, d.weights, first, &c, &p.hp, schedule).is_ok());
                REQUIRE(c.flat_pixels);
                for (int pool : {2, 1, 3}) {
                    INFO("pool " << pool);
                    set_cpu_threads(pool);
                    if (pool == 2) {
                        test::check_problem(p);
                        REQUIRE(call_prepared(c, d.input, first).is_ok());
                        continue;
                    }
                    Tensor out = make_output(p, d);
                    REQUIRE(call_prepared(c, d.input, out).is_ok());
                    CHECK(std::memcmp(out.data(), first.data(), first.size_in_bytes()) == 0);
                }
            }
        }
    }
    set_cpu_threads(0);
}

TEST_CASE("inverted_bottleneck: the flat twin matches the reference, whatever the plane, k and threads",
          "[inverted_bottleneck]") {
    // The twin over a plane's pixels in one run (modules.cmake's PRCM_FLAT_TWINS): planes
    // smaller than a tile of 64 pixels (1x1, 3x5, 7x7: one tile, its stores guarded), one
    // tile exactly (8x8), planes whose last tile is shifted inwards (12x12, 20x20, 13x17:
    // rows that end inside a vector, the taps' columns masked there), k = 3 and the notebooks'
    // unrolled 7, a batch, and a last channel tile cut short (C = 20, 40). On the AVX-512 code
    // 13x17 and 28x28 take the wide tiles of 7 vectors by 3 channels (flat_wide_tiles_taken:
    // 2 tiles of 112 pixels for 221, not 4 of 64), the others the tiles of 4 by 4.
    const std::vector<TorchShape> shapes{{1, 16, 1, 1},   {2, 24, 3, 5},   {1, 40, 7, 7},   {1, 64, 8, 8},
                                         {2, 24, 12, 12}, {1, 32, 20, 20}, {1, 20, 13, 17}, {3, 16, 28, 28}};
    check_twin_against_reference(kFlatSchedule, shapes);
}

TEST_CASE("inverted_bottleneck: the channels twin matches the reference, whatever the plane, C, k and threads",
          "[inverted_bottleneck]") {
    // The twin with its vectors over channels (modules.cmake's PRCM_CHANNELS_TWINS), its 1x1
    // weights packed by the runtime: planes smaller than a tile of 28 pixels (1x1, 3x5: one
    // tile, its stores guarded, its pixels past the plane computed from zeros), a tile exactly
    // (4x7), planes whose last tile is shifted inwards (7x7, 13x17, 14x14), channel counts that
    // are not whole vectors nor whole register tiles (C = 20, 24, 40; C * r = 48, 80; C = 96 in
    // tiles of 32 channels), a batch, and tasks of several tiles (2x16x28x28).
    const std::vector<TorchShape> shapes{{1, 16, 1, 1},   {2, 24, 3, 5},   {1, 40, 7, 7}, {1, 64, 4, 7},
                                         {1, 20, 13, 17}, {1, 64, 14, 14}, {1, 96, 6, 6}, {2, 16, 28, 28}};
    check_twin_against_reference(kChannelsSchedule, shapes);
}

TEST_CASE("inverted_bottleneck: the channels twin's 1x1 weights are packed output channel innermost",
          "[inverted_bottleneck]") {
    // run.cpp's bind: a library argument "<name>_packed" is the weight <name>, torch [O, I, 1,
    // 1], as torch [I, O]. Two weights whose packed forms differ from each other's transposes
    // would pass a symmetric check: the shapes here are not square (C * r = 2 C).
    const Module &m = test::module_named("inverted_bottleneck");
    if (!m.library(Device::cpu, kChannelsSchedule)) return;
    Problem p = make_problem(m, Device::cpu, {1, 8, 5, 5});
    p.hp.expansion = 2;
    ProblemData d = make_problem_data(p);
    Tensor out = make_output(p, d);
    PreparedCall c;
    REQUIRE(prepare_call(m, Device::cpu, d.input, d.weights, out, &c, &p.hp, kChannelsSchedule).is_ok());
    for (const char *name : {"expand.weight", "project.weight"}) {
        INFO(name);
        const Tensor &weight = c.arguments.at(name);
        const Tensor &packed = c.arguments.at(std::string(name) + "_packed");
        REQUIRE(packed.dimensions() == 2);
        REQUIRE(packed.dim(0).extent() == weight.dim(3).extent());
        REQUIRE(packed.dim(1).extent() == weight.dim(2).extent());
        for (int i = 0; i < weight.dim(2).extent(); i++) {
            for (int o = 0; o < weight.dim(3).extent(); o++) CHECK(packed(o, i) == weight(0, 0, i, o));
        }
    }
}

TEST_CASE("inverted_bottleneck: the hand schedule hands the planes whose rows fill few lanes to the flat twin",
          "[inverted_bottleneck]") {
    // run.cpp's flat_form_faster: on the AVX-512 code, planes wider than 8 whose rows fill 84%
    // of their vectors or less (20: 20 of 32 lanes), of 64 pixels or more; those whose rows fill
    // 87.5% (14, 28, 42, 56, 70, 84, 98) where C * r is 192 or more; not 16, 28 or 70 at C * r =
    // 128, 8 (a narrow plane), 20 x 3 (60 pixels), nor any plane on the other targets' code.
    // On 2 threads: on one, the channels twin takes some of these planes (the next test).
    const bool avx512 = cpu_target_selected().find("avx512") != std::string::npos;
    set_cpu_threads(2);
    for (const char *name : {"inverted_bottleneck", "inverted_bottleneck_res"}) {
        const Module &m = test::module_named(name);
        const Library *flat = m.library(Device::cpu, kFlatSchedule);
        if (!flat) continue;
        struct Case {
            TorchShape shape;
            int expansion;
            bool flat;
        };
        for (const auto &[shape, expansion, want_flat] : {Case{{1, 32, 20, 20}, 4, avx512},
                                                          {{2, 16, 12, 40}, 4, avx512},
                                                          {{1, 16, 9, 9}, 4, avx512},
                                                          {{1, 48, 28, 28}, 4, avx512},
                                                          {{1, 96, 14, 14}, 2, avx512},
                                                          {{2, 64, 20, 56}, 4, avx512},
                                                          {{1, 32, 16, 16}, 4, false},
                                                          {{1, 32, 28, 28}, 4, false},
                                                          {{1, 64, 28, 28}, 2, false},
                                                          {{1, 48, 8, 70}, 4, avx512},
                                                          {{1, 32, 8, 70}, 4, false},
                                                          {{1, 32, 8, 8}, 4, false},
                                                          {{1, 32, 3, 20}, 4, false}}) {
            Problem p = make_problem(m, Device::cpu, shape);
            p.hp.expansion = expansion;
            INFO(p.replay());
            ProblemData d = make_problem_data(p);
            Tensor out = make_output(p, d);
            PreparedCall c;
            REQUIRE(prepare_call(m, Device::cpu, d.input, d.weights, out, &c, &p.hp).is_ok());
            CHECK((c.library == flat) == want_flat);
            CHECK(c.flat_pixels == want_flat);
            test::check_problem(p);
        }
    }
    set_cpu_threads(0);
}

TEST_CASE("inverted_bottleneck: on one thread the hand schedule hands planes of 49 to 196 pixels to the channels twin",
          "[inverted_bottleneck]") {
    // run.cpp's channels_form_faster: on the AVX-512 code and a pool of one thread, planes of 81
    // to 196 pixels not 8 wide where C >= 48 and C * r >= 128, and of 49 to 80 pixels where
    // C * r >= 512; the others go on to flat_form_faster (28x28 at C * r = 256: flat) or stay.
    const bool avx512 = cpu_target_selected().find("avx512") != std::string::npos;
    for (const char *name : {"inverted_bottleneck", "inverted_bottleneck_res"}) {
        const Module &m = test::module_named(name);
        const Library *channels = m.library(Device::cpu, kChannelsSchedule);
        const Library *flat = m.library(Device::cpu, kFlatSchedule);
        if (!channels || !flat) continue;
        struct Case {
            TorchShape shape;
            int expansion, threads;
            const Library *want;
        };
        const Library *hand = m.library(Device::cpu);
        for (const auto &[shape, expansion, threads, want] : {Case{{1, 64, 14, 14}, 4, 1, avx512 ? channels : hand},
                                                              {{2, 48, 12, 12}, 4, 1, avx512 ? channels : hand},
                                                              {{1, 64, 9, 9}, 2, 1, avx512 ? channels : hand},
                                                              {{1, 128, 7, 7}, 4, 1, avx512 ? channels : hand},
                                                              {{1, 64, 7, 7}, 4, 1, hand},
                                                              {{1, 32, 14, 14}, 4, 1, hand},
                                                              {{1, 64, 8, 8}, 4, 1, hand},
                                                              {{1, 64, 28, 28}, 4, 1, avx512 ? flat : hand},
                                                              {{1, 64, 14, 14}, 4, 2, avx512 ? flat : hand}}) {
            set_cpu_threads(threads);
            Problem p = make_problem(m, Device::cpu, shape);
            p.hp.expansion = expansion;
            INFO(p.replay() << " on " << threads << " thread(s)");
            ProblemData d = make_problem_data(p);
            Tensor out = make_output(p, d);
            PreparedCall c;
            REQUIRE(prepare_call(m, Device::cpu, d.input, d.weights, out, &c, &p.hp).is_ok());
            CHECK(c.library == want);
            CHECK(c.flat_pixels == (want != hand));
            test::check_problem(p);
        }
    }
    set_cpu_threads(0);
}
