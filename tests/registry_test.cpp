// The registry and the generated libraries agree: every weight the spec names (as its
// library_arguments prepare them) is an argument of every library, in Halide's
// spelling, and nothing else is.
#include "test_support.h"

#include <set>

using namespace prcm;

TEST_CASE("each library's arguments are the input, the spec's weights and the output", "[registry]") {
    REQUIRE(!modules().empty());
    for (const Module &m : modules()) {
        REQUIRE(m.libraries.size() == built_devices().size());
        std::set<std::string> expected{"input", "output"};
        // A spec that prepares its weights (BN folding) hands the library what it prepared.
        const HyperParams hp = m.spec->defaults;
        Weights weights;
        for (const WeightSpec &w : m.spec->weights(64, hp)) weights.emplace(w.name, make_tensor(w.shape));
        const Weights arguments = m.spec->library_arguments ? m.spec->library_arguments(weights, hp) : weights;
        for (const auto &[name, tensor] : arguments) expected.insert(argument_name(name));
        for (const Library &lib : m.libraries) {
            const halide_filter_metadata_t *md = lib.metadata();
            std::set<std::string> got;
            INFO(lib.function_name);
            for (int i = 0; i < md->num_arguments; i++) {
                const halide_filter_argument_t &arg = md->arguments[i];
                // A scalar is no weight: run.cpp takes it, an int32, from the spec's scalar_argument.
                if (arg.kind == halide_argument_kind_input_scalar) {
                    INFO("scalar argument " << arg.name);
                    CHECK(m.spec->scalar_argument != nullptr);
                    CHECK((arg.type.code == halide_type_int && arg.type.bits == 32));
                    continue;
                }
                got.insert(arg.name);
            }
            CHECK(got == expected);
        }
    }
}

TEST_CASE("module names are unique and snake_case", "[registry]") {
    std::set<std::string> seen;
    for (const Module &m : modules()) {
        const std::string name = m.spec->name;
        CHECK(seen.insert(name).second);
        CHECK(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos);
        CHECK(find_module(name) == &m);
    }
    CHECK(find_module("no_such_module") == nullptr);
}
