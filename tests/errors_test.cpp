// Bad input is refused with a message that names the problem, never a crash:
// through the runtime's checks, and at the library boundary for users who call
// a generated function directly.
#include "test_support.h"

#include "prcm_cpu.h"

using namespace prcm;

namespace {

struct Case {
    Tensor input = make_tensor({1, 64, 8, 8});
    Weights weights;
    Tensor output = make_tensor({1, 64, 8, 8});
    Case() {
        weights.emplace("basis", make_tensor({8, 64}));
        weights.emplace("fuser.weight", make_tensor({64, 8}));
    }
    Status run(Device d = Device::cpu) { return run_module(test::module_named("prcm"), d, input, weights, output); }
};

bool contains(const std::string &haystack, const std::string &needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("a well-formed case runs (the baseline of the cases below)", "[errors]") {
    Case c;
    CHECK(c.run().is_ok());
}

TEST_CASE("a weight of the wrong shape is named with both shapes", "[errors]") {
    for (Device d : test::devices_to_test()) {
        Case c;
        c.weights["fuser.weight"] = make_tensor({64, 5});
        const Status s = c.run(d);
        INFO(s.message());
        CHECK_FALSE(s.is_ok());
        CHECK(contains(s.message(), "'fuser.weight' has shape [64, 5], expected [64, 8]"));
    }
}

TEST_CASE("a weight whose channels disagree with the input is refused", "[errors]") {
    Case c;
    c.weights["basis"] = make_tensor({8, 32});
    const Status s = c.run();
    INFO(s.message());
    CHECK(contains(s.message(), "'basis' has shape [8, 32], expected [8, 64] for an input of 64 channels"));
}

TEST_CASE("a weight with too few dimensions is refused, not read", "[errors]") {
    Case c;
    c.weights["basis"] = make_tensor({512});
    const Status s = c.run();
    INFO(s.message());
    CHECK(contains(s.message(), "'basis' has shape [512]"));
}

TEST_CASE("a missing or an unexpected weight is named", "[errors]") {
    Case missing;
    missing.weights.erase("fuser.weight");
    CHECK(contains(missing.run().message(), "missing weight 'fuser.weight'"));

    Case extra;
    extra.weights.emplace("fuser.bias", make_tensor({64}));
    CHECK(contains(extra.run().message(), "unexpected weight 'fuser.bias'"));
}

TEST_CASE("a zero-sized dimension is refused", "[errors]") {
    for (const TorchShape &shape : std::vector<TorchShape>{{0, 64, 8, 8}, {1, 0, 8, 8}, {1, 64, 0, 8}, {1, 64, 8, 0}}) {
        Case c;
        c.input = make_tensor(shape);
        c.output = make_tensor(shape);
        const Status s = c.run();
        INFO(s.message());
        CHECK(contains(s.message(), "has a zero-sized dimension"));
    }
}

TEST_CASE("an input that is not 4-D is refused", "[errors]") {
    Case c;
    c.input = make_tensor({64, 8, 8});
    CHECK(contains(c.run().message(), "PRCM takes a 4-D input (NCHW), got shape [64, 8, 8]"));
}

TEST_CASE("an output whose shape differs from the input's is refused", "[errors]") {
    Case c;
    c.output = make_tensor({1, 64, 8, 7});
    const Status s = c.run();
    CHECK(contains(s.message(), "output shape [1, 64, 8, 7] is not PRCM's output shape [1, 64, 8, 8]"));
}

TEST_CASE("an absent CUDA device is an error, not a crash", "[errors]") {
    if (device_available(Device::cuda).is_ok()) return;  // a machine with a GPU runs it instead
    Case c;
    const Status s = c.run(Device::cuda);
    CHECK_FALSE(s.is_ok());
    CHECK((contains(s.message(), "no CUDA device here") || contains(s.message(), "no cuda library")));
}

namespace {
std::string library_error;
void capture(void *, const char *msg) { library_error = msg; }
}  // namespace

TEST_CASE("the generated library itself rejects mismatched weights and outputs", "[errors]") {
    // Users who link prcm_cpu directly skip the runtime's checks; the pipeline's
    // own constraints still refuse the call instead of reading out of bounds.
    halide_error_handler_t previous = halide_set_error_handler(capture);
    Tensor input = make_tensor({1, 16, 4, 4}), basis = make_tensor({8, 16});
    Tensor fuser = make_tensor({16, 8}), bad_fuser = make_tensor({16, 5});
    Tensor output = make_tensor({1, 16, 4, 4}), bad_output = make_tensor({1, 16, 4, 3});

    library_error.clear();
    CHECK(prcm_cpu(input, basis, bad_fuser, output) != 0);
    INFO(library_error);
    CHECK(contains(library_error, "fuser_weight"));

    library_error.clear();
    CHECK(prcm_cpu(input, basis, fuser, bad_output) != 0);
    CHECK(contains(library_error, "output"));

    CHECK(prcm_cpu(input, basis, fuser, output) == 0);
    halide_set_error_handler(previous);
}

TEST_CASE("a generated function called directly returns its error instead of aborting", "[errors]") {
    // No handler installed here: ctest runs this case in a process of its own, so
    // only the one the runtime installs when it is loaded stands between a shape
    // error and Halide's default handler, which aborts.
    Tensor input = make_tensor({1, 16, 4, 4}), basis = make_tensor({8, 16}), bad_fuser = make_tensor({16, 5});
    Tensor output = make_tensor({1, 16, 4, 4});
    take_halide_error();
    CHECK(prcm_cpu(input, basis, bad_fuser, output) != 0);
    const std::string message = take_halide_error();
    INFO(message);
    CHECK(contains(message, "fuser_weight"));
}

TEST_CASE("values written through data() between calls are used on every device", "[errors]") {
    // On a GPU the first call leaves a device copy of the input; a second call on
    // new host values must upload them, not reuse that copy.
    for (Device d : test::devices_to_test()) {
        INFO(device_name(d));
        const Module &m = test::module_named("prcm");
        const Problem p = make_problem(m, d, {1, 16, 4, 4});
        ProblemData data = make_problem_data(p);
        Tensor first = make_output(p, data), second = make_output(p, data);
        REQUIRE(run_module(m, d, data.input, data.weights, first).is_ok());
        for (size_t i = 0; i < data.input.number_of_elements(); i++) data.input.data()[i] *= 2.0f;  // no set_host_dirty
        REQUIRE(run_module(m, d, data.input, data.weights, second).is_ok());
        const Comparison c = compare(second, m.spec->reference(data.input, data.weights, p.hp));
        INFO(failure_details({c, ""}, "  "));
        CHECK(verdict_name(c.verdict) == std::string("PASSED"));
    }
}

TEST_CASE("a GPU call lets Halide's runtimes reuse freed device buffers", "[errors]") {
    // A pool's partial sums are a device buffer per call; with reuse on, Halide's CUDA
    // runtime keeps the freed one for the next call instead of cuMemFree + cuMemAlloc.
    // (Its OpenCL runtime has no such cache: PoCL counts an allocation per call either way.)
    for (Device d : test::devices_to_test()) {
        if (d == Device::cpu) continue;
        INFO(device_name(d));
        halide_reuse_device_allocations(nullptr, false);
        const Module &m = test::module_named("prcm");
        const Problem p = make_problem(m, d, {1, 16, 4, 4});
        ProblemData data = make_problem_data(p);
        Tensor output = make_output(p, data);
        REQUIRE(run_module(m, d, data.input, data.weights, output).is_ok());
        CHECK(halide_can_reuse_device_allocations(nullptr));
    }
}
