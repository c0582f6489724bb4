// The CPU targets of the multi-target libraries: the list, the refusals of
// force_cpu_target, and that the dispatcher is asked about exactly the masks the
// runtime holds. The runs on each forced target are the hidden [forced_cpu_target]
// tests, one process per target (tests/CMakeLists.txt: "cpu target NAME").
#include "test_support.h"

#include <algorithm>
#include <sstream>

using namespace prcm;

namespace {

std::vector<std::string> configured_targets() {
    std::vector<std::string> targets;
    std::stringstream list(PRCM_TEST_CPU_TARGETS);
    for (std::string t; std::getline(list, t, ',');) targets.push_back(t);
    return targets;
}

// Pretend CPUs for the refusals: one with none of the features a target can ask
// for, one without AVX-512.
int cpu_without_features(int, const uint64_t *) { return 0; }
int cpu_without_avx512(int count, const uint64_t *features) {
    constexpr int bit = halide_target_feature_avx512;
    if (features[bit / 64] >> (bit % 64) & 1) return 0;
    return halide_default_can_use_target_features(count, features);
}

bool has_feature(const std::string &target, const std::string &feature) {
    return (target + "-").find("-" + feature + "-") != std::string::npos;
}

// Makes sure the dispatch has run: the copy library's first call asks.
void dispatch_once() {
    Tensor x = make_tensor({1, 1, 1, 1}), y = make_tensor({1, 1, 1, 1});
    REQUIRE(run_copy(Device::cpu, x, y).is_ok());
}

// What the dispatcher was asked and allowed must be what `selected` implies: every
// better target asked and refused, then `selected` allowed (the baseline: nothing
// allowed). A mask the runtime does not hold fails here rather than running the
// baseline unseen.
void check_dispatch_ran(const std::string &selected) {
    const CpuDispatchLog log = cpu_dispatch_log();
    std::string asked;
    for (const std::string &t : log.asked) asked += " " + t;
    INFO("selected " << selected << ", asked:" << asked << ", allowed '" << log.allowed << "'");
    CHECK_FALSE(log.unrecognized);
    const std::vector<std::string> &targets = cpu_targets();
    if (targets.size() == 1) return;  // one target: no wrapper, nothing asked
    const auto last = std::find(targets.begin(), targets.end(), selected);
    REQUIRE(last != targets.end());
    if (selected == targets.back()) {
        CHECK(log.allowed.empty());
        CHECK(log.asked == std::vector<std::string>(targets.begin(), targets.end() - 1));
    } else {
        CHECK(log.allowed == selected);
        for (auto t = targets.begin(); t != last + 1; ++t) {
            CHECK(std::find(log.asked.begin(), log.asked.end(), *t) != log.asked.end());
        }
    }
}

}  // namespace

TEST_CASE("the CPU targets are PRCM_CPU_TARGETS, best first", "[cpu_targets]") {
    CHECK(cpu_targets() == configured_targets());
    // The baseline runs on every CPU of its architecture: the dispatch never asks.
    CHECK(cpu_can_run(cpu_targets().back(), cpu_without_features));
    CHECK(cpu_target_picked(cpu_without_features) == cpu_targets().back());
    CHECK_FALSE(cpu_can_run("x86-64-linux-not-built"));
}

TEST_CASE("an unknown CPU target is refused, naming the built ones", "[cpu_targets]") {
    const Status s = force_cpu_target("x86-64-linux-sse41-nope");
    REQUIRE(s.kind() == ErrorKind::invalid);
    CHECK_THAT(s.message(),
               Catch::StartsWith("unknown CPU target 'x86-64-linux-sse41-nope': this build's CPU targets are " +
                                 cpu_targets().front()));
    for (const std::string &t : cpu_targets()) CHECK_THAT(s.message(), Catch::Contains(t));
    CHECK_THAT(s.message(), Catch::Contains("this CPU runs"));
}

TEST_CASE("a CPU target this CPU cannot run is refused, naming what it lacks", "[cpu_targets]") {
    const std::vector<std::string> &targets = cpu_targets();
    if (targets.size() < 2) {
        WARN("one CPU target: nothing but the baseline to refuse");
        return;
    }
    const Status s = force_cpu_target(targets.front(), cpu_without_features);
    REQUIRE(s.kind() == ErrorKind::unavailable);
    CHECK_THAT(s.message(), Catch::StartsWith("this CPU cannot run " + targets.front() + ": it lacks "));
    CHECK_THAT(s.message(), Catch::EndsWith("this CPU runs " + targets.back()));
    CHECK_FALSE(cpu_can_run(targets.front(), cpu_without_features));

    // On a CPU without AVX-512, an AVX-512 target alone is refused and the next one is the pick.
    for (size_t i = 0; i < targets.size(); i++) {
        if (!has_feature(targets[i], "avx512") || !cpu_can_run(targets[i])) continue;
        const Status no_avx512 = force_cpu_target(targets[i], cpu_without_avx512);
        REQUIRE(no_avx512.kind() == ErrorKind::unavailable);
        CHECK_THAT(no_avx512.message(), Catch::StartsWith("this CPU cannot run " + targets[i] + ": it lacks avx512; "));
        CHECK(cpu_target_picked(cpu_without_avx512) != targets[i]);
    }
}

TEST_CASE("forcing another CPU target after a library ran is refused", "[cpu_targets]") {
    dispatch_once();
    std::string other;
    for (const std::string &t : cpu_targets()) {
        if (t != cpu_target_selected() && cpu_can_run(t)) other = t;
    }
    if (other.empty()) {
        WARN("this CPU runs one target alone: there is no other to force");
        return;
    }
    const Status s = force_cpu_target(other);
    REQUIRE(s.kind() == ErrorKind::invalid);
    CHECK_THAT(s.message(), Catch::Contains("already dispatched to " + cpu_target_selected()));
    CHECK(cpu_target_selected() != other);
}

TEST_CASE("the dispatch runs the target the runtime says it picks", "[cpu_targets]") {
    dispatch_once();
    if (!cpu_target_forced()) CHECK(cpu_target_selected() == cpu_target_picked());
    check_dispatch_ran(cpu_target_selected());
}

// Hidden: the processes started with --cpu-target NAME run it. The dispatch's pick
// runs the same code unforced in "every module matches the reference over the
// awkward-shape grid", so forced to it, only the forcing is checked: the grid's
// time (about 20 s) is spent on the other targets alone.
TEST_CASE("every module matches the reference over the awkward-shape grid on the forced CPU target",
          "[.forced_cpu_target]") {
    REQUIRE(cpu_target_forced());
    INFO("cpu target " << cpu_target_selected());
    if (cpu_target_selected() == cpu_target_picked()) {
        dispatch_once();
        check_dispatch_ran(cpu_target_selected());
        return;
    }
    for (const Module &m : modules()) {
        INFO(m.spec->name);
        for (const Problem &p : awkward_problems(m, Device::cpu)) test::check_problem(p);
    }
    check_dispatch_ran(cpu_target_selected());
}
