// Every module of the registry, on every device that runs here, against the
// naive reference: the awkward-shape grid and the notebooks' own configurations.
#include "test_support.h"

#include <algorithm>

using namespace prcm;

namespace {

const Module &module_named(const char *name) {
    const Module *m = find_module(name);
    REQUIRE(m != nullptr);
    return *m;
}

void check_awkward_grid(const Module &m) {
    for (Device d : test::devices_to_test()) {
        INFO(m.spec->name << " on " << device_name(d));
        REQUIRE(device_available(d).is_ok());
        for (const Problem &p : awkward_problems(m, d)) test::check_problem(p);
    }
}

void check_notebook_shapes(const Module &m) {
    // 1x64x64x64 (the latency tables), C=128 at 4..64 (000 §10) and batch 16 (001 §9).
    const std::vector<TorchShape> shapes = {{1, 64, 64, 64},  {1, 128, 4, 4},   {1, 128, 8, 8},  {1, 128, 16, 16},
                                            {1, 128, 32, 32}, {1, 128, 64, 64}, {16, 64, 64, 64}};
    for (Device d : test::devices_to_test()) {
        for (const TorchShape &shape : shapes) {
            Problem p;
            p.module = &m;
            p.device = d;
            p.shape = shape;
            test::check_problem(p);
        }
    }
}

}  // namespace

// A test case per module (so ctest names the module that fails), from the build's module
// list (tests/CMakeLists.txt writes module_tests.inc from modules.cmake's PRCM_MODULES).
#define PRCM_MODULE_TESTS(name)                                                                              \
    TEST_CASE("grid: " #name " matches the reference over the awkward-shape grid", "[modules][grid]") {      \
        check_awkward_grid(module_named(#name));                                                             \
    }                                                                                                        \
    TEST_CASE("grid: " #name " matches the reference at the notebooks' configurations", "[modules][grid]") { \
        check_notebook_shapes(module_named(#name));                                                          \
    }
#include "module_tests.inc"
#undef PRCM_MODULE_TESTS

TEST_CASE("the module tests cover every module of the registry", "[modules]") {
    std::vector<std::string> listed;
#define PRCM_MODULE_TESTS(name) listed.push_back(#name);
#include "module_tests.inc"
#undef PRCM_MODULE_TESTS
    for (const Module &m : modules()) {
        INFO(m.spec->name);
        CHECK(std::count(listed.begin(), listed.end(), m.spec->name) == 1);
    }
    CHECK(listed.size() == modules().size());
}

// The part of the grid the sanitizer build runs (scripts/test.sh): every module on
// every device of that build, every fourth shape of its grid, so every kind of
// shape (C = 1, primes, W below the vector, batches) is among them. Hidden: the
// full grid above has it.
TEST_CASE("every module matches the reference over a quarter of the grid", "[.grid_part]") {
    constexpr size_t kEvery = 4;
    for (const Module &m : modules()) {
        for (Device d : test::devices_to_test()) {
            INFO(m.spec->name << " on " << device_name(d));
            const std::vector<Problem> problems = awkward_problems(m, d);
            for (size_t i = 0; i < problems.size(); i += kEvery) test::check_problem(problems[i]);
        }
    }
}
