// The registry and the generated libraries agree: every weight the spec names (as its
// library_arguments prepare them) is an argument of every library, in Halide's
// spelling, and nothing else is.
#include "test_support.h"

#include <set>
#include <string>
#include <string_view>

using namespace prcm;

TEST_CASE("each library's arguments are the input, the spec's weights and the output", "[registry]") {
    REQUIRE(!modules().empty());
    for (const Module &m : modules()) {
        // One hand library per device built; the twins (-DPRCM_AUTOSCHEDULERS) besides.
        size_t hand = 0;
        for (const Library &lib : m.libraries) hand += lib.schedule == std::string(kHandSchedule);
        REQUIRE(hand == built_devices().size());
        for (Device d : built_devices()) CHECK(m.library(d) != nullptr);
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
                // A scalar is no weight: run.cpp takes it, an int32, from the spec's
                // scalar_argument, or, a CPU library's cpu_threads, from the thread pool, or, a
                // flat or channels twin's plane_width, from the input.
                if (arg.kind == halide_argument_kind_input_scalar) {
                    INFO("scalar argument " << arg.name);
                    if (arg.name == std::string("cpu_threads")) {
                        CHECK(lib.device == Device::cpu);
                    } else if (arg.name == std::string("plane_width")) {
                        CHECK((lib.schedule == std::string_view(kFlatSchedule) ||
                               lib.schedule == std::string_view(kChannelsSchedule)));
                    } else {
                        CHECK(m.spec->scalar_argument != nullptr);
                    }
                    CHECK((arg.type.code == halide_type_int && arg.type.bits == 32));
                    continue;
                }
                // A packed weight (the channels twin's 1x1 weights) stands for the weight run.cpp
                // packs it from, which must be one of the library arguments.
                std::string name = arg.name;
                constexpr std::string_view kPacked = "_packed";
                if (name.ends_with(kPacked) && expected.count(name.substr(0, name.size() - kPacked.size()))) {
                    name.resize(name.size() - kPacked.size());
                }
                got.insert(name);
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

// The schedule a library was made with picks it; a twin that is missing or that its
// autoscheduler could not compile is refused with the reason (ErrorKind::unavailable,
// exit 3), an unknown schedule as bad input. A module made up here, so that the
// failure path is checked whatever this build's autoschedulers managed.
TEST_CASE("find_library: hand, a twin, a twin that did not compile, one not built, an unknown one", "[registry]") {
    const Module &prcm = *find_module("prcm");
    const Library *hand = prcm.library(Device::cpu);
    REQUIRE(hand != nullptr);
    Module m{prcm.spec, {*hand}, {{Device::cpu, "adams2019", "prcm_cpu_adams2019", "Error: Unbounded \"x\""}}};
    Library twin = *hand;
    twin.schedule = "li2018";
    m.libraries.push_back(twin);

    const Library *got = nullptr;
    CHECK(find_library(m, Device::cpu, kHandSchedule, &got));
    CHECK(got == &m.libraries[0]);
    CHECK(find_library(m, Device::cpu, "li2018", &got));
    CHECK(got == &m.libraries[1]);

    Status s = find_library(m, Device::cpu, "adams2019", &got);
    CHECK(got == nullptr);
    CHECK(s.kind() == ErrorKind::unavailable);
    CHECK(s.message() ==
          "prcm_cpu_adams2019 did not compile: Adams2019 could not schedule prcm: Error: Unbounded \"x\"");

    s = find_library(m, Device::cpu, "mullapudi2016", &got);
    CHECK(s.kind() == ErrorKind::unavailable);
    CHECK_THAT(s.message(), Catch::Contains("prcm has no mullapudi2016 twin on cpu in this build") &&
                                Catch::Contains("-DPRCM_AUTOSCHEDULERS=Mullapudi2016"));

    s = find_library(m, Device::cpu, "nope", &got);
    CHECK(s.kind() == ErrorKind::invalid);
    CHECK_THAT(s.message(), Catch::StartsWith("unknown schedule 'nope' (known: hand, mullapudi2016, adams2019"));
}

TEST_CASE("every twin is of a known schedule, and every device built has its hand schedule", "[registry]") {
    for (Device d : built_devices()) {
        const std::vector<std::string> built = built_schedules(d);
        REQUIRE(!built.empty());
        CHECK(built.front() == kHandSchedule);
    }
    for (const Module &m : modules()) {
        for (const Library &lib : m.libraries) {
            INFO(lib.function_name);
            REQUIRE(find_schedule(lib.schedule) != nullptr);
            if (lib.schedule != std::string(kHandSchedule)) {
                CHECK(std::string(lib.function_name) ==
                      std::string(m.spec->name) + "_" + device_name(lib.device) + "_" + lib.schedule);
            }
        }
        for (const FailedLibrary &f : m.failed) {
            INFO(f.function_name);
            CHECK(find_schedule(f.schedule) != nullptr);
            CHECK(std::string(f.error).size() > 0);
            CHECK(m.library(f.device, f.schedule) == nullptr);
        }
    }
}
