// The test harness itself: every test reaches ctest under a name that runs it and
// only it, and a failed check says where the result went wrong.
#include "test_support.h"

using namespace prcm;

namespace {

// Why a Catch2 test name would not run exactly its own test when ctest passes it
// back to Catch2's command line (catch_discover_tests escapes only `,` `[` `]`);
// empty when it would.
std::string name_defect(const std::string &name) {
    if (name.empty()) return "an empty name matches every test";
    if (name.find(';') != std::string::npos) return "a ';' splits it into two ctest names";
    if (name.find('\\') != std::string::npos) return "a '\\' escapes the next character for Catch2";
    if (name.find('"') != std::string::npos) return "a '\"' quotes for Catch2";
    if (name.find("]==]") != std::string::npos) return "']==]' ends the bracket argument ctest reads it from";
    for (unsigned char ch : name) {
        if (ch < 0x20 || ch == 0x7f) return "a control character breaks the list of names";
    }
    if (name.front() == ' ' || name.back() == ' ') return "Catch2 trims the spaces around a name";
    if (name.front() == '~' || name.starts_with("exclude:")) return "Catch2 reads it as 'every test but'";
    if (name.front() == '*' || name.back() == '*') return "Catch2 reads a '*' at either end as a wildcard";
    return "";
}

}  // namespace

TEST_CASE("harness: every test name runs exactly its own test under ctest", "[harness]") {
    CHECK(name_defect("linear: out[n, c] = sum_b coeff[n, b] * weight[c, b], C taken from the weight").empty());
    CHECK_FALSE(name_defect("linear: out[n, c] = sum_b coeff[n, b] * weight[c, b]; C comes from the weight").empty());
    CHECK_FALSE(name_defect("~every module").empty());
    const auto &tests = Catch::getRegistryHub().getTestCaseRegistry().getAllTests();
    REQUIRE(tests.size() > 1);
    for (const Catch::TestCase &t : tests) {
        INFO("test case \"" << t.name << "\"");
        CHECK(name_defect(t.name) == "");
    }
}

// Fails on purpose: ctest runs it and checks what it prints (tests/CMakeLists.txt).
// A real result of the prcm library, one element of it then made wrong.
TEST_CASE("harness: a failed check prints the first mismatches with their coordinates", "[.failure_report]") {
    Problem p = make_problem(test::module_named("prcm"), Device::cpu, {2, 3, 4, 5});
    p.hp.num_basis = 2;
    const ProblemData d = make_problem_data(p);
    Tensor output = make_output(p, d);
    REQUIRE(run_module(*p.module, p.device, d.input, d.weights, output, &p.hp).is_ok());
    output(4, 3, 2, 1) = 1000.0f;  // n=1, c=2, h=3, w=4
    VerifyResult r;
    r.comparison = compare(output, p.module->spec->reference(d.input, d.weights, p.hp));
    test::check_result(p, r);
}
