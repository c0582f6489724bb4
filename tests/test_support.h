// What the tests share: running a problem and reporting it so a failure replays.
#pragma once

#include <catch2/catch.hpp>

#include "prcm/run.h"
#include "prcm/verify.h"

namespace prcm::test {

inline const Module &module_named(const char *name) {
    const Module *m = find_module(name);
    REQUIRE(m != nullptr);
    return *m;
}

// Checks one problem against the reference; the message is the replay command.
inline void check_problem(const Problem &p) {
    const VerifyResult r = verify(p);
    INFO(p.replay());
    INFO(r.error);
    for (const std::string &m : r.comparison.first_mismatches) INFO(m);
    CHECK(verdict_name(r.comparison.verdict) == std::string("PASSED"));
}

// The devices of this build that can run here; OpenCL must, once it is built
// (PoCL is part of the set-up), so its absence fails rather than skips.
inline std::vector<Device> devices_to_test() {
    std::vector<Device> devices;
    for (Device d : built_devices()) {
        if (d == Device::cuda && !device_available(d)) continue;  // no GPU here: PTX is checked by ptxas
        devices.push_back(d);
    }
    return devices;
}

}  // namespace prcm::test
