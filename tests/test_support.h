// What the tests share: running a problem and reporting it so a failure replays.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "prcm/run.h"
#include "prcm/verify.h"

namespace prcm::test {

inline const Module &module_named(const char *name) {
    const Module *m = find_module(name);
    REQUIRE(m != nullptr);
    return *m;
}

// A failed check prints the replay command and what `prcm verify` prints under it
// (the error, the first mismatches with their (n, c, h, w)), as one message: an
// INFO made in a loop is gone when its iteration ends.
inline void check_result(const Problem &p, const VerifyResult &r) {
    INFO(p.replay() << "\n" << failure_details(r, "  "));
    CHECK(verdict_name(r.comparison.verdict) == std::string("PASSED"));
}

// Checks one problem against the reference.
inline void check_problem(const Problem &p) { check_result(p, verify(p)); }

// The devices of this build that can run here; OpenCL must, once it is built
// (PoCL is part of the set-up), so its absence fails rather than skips.
// PRCM_TEST_DEVICES=cuda (a comma list) tests only those, e.g. the grid on a lent GPU
// (scripts/gpu_check.sh); a device it names that is not built or cannot run here fails.
inline std::vector<Device> devices_to_test() {
    std::vector<Device> devices;
    const char *only = std::getenv("PRCM_TEST_DEVICES");
    if (only != nullptr && *only != '\0') {
        const std::vector<Device> built = built_devices();
        std::stringstream names(only);
        for (std::string name; std::getline(names, name, ',');) {
            INFO("PRCM_TEST_DEVICES names " << name);
            Device d;
            REQUIRE(parse_device(name, &d));
            REQUIRE(std::count(built.begin(), built.end(), d) == 1);
            const Status available = device_available(d);
            INFO(available.message());
            REQUIRE(available);
            devices.push_back(d);
        }
        return devices;
    }
    for (Device d : built_devices()) {
        if (d == Device::cuda && !device_available(d)) continue;  // no GPU here: PTX is checked by ptxas
        devices.push_back(d);
    }
    return devices;
}

}  // namespace prcm::test
