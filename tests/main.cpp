// The Catch2 main, with one option of its own: --cpu-target NAME runs the whole
// process on that target of the CPU libraries. Each library keeps the target of
// its first call, so it is forced here, before any test runs. A target this CPU
// cannot run skips the process (exit 77, ctest's SKIP_RETURN_CODE) with the reason.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "prcm/run.h"

#include <iostream>

int main(int argc, char **argv) {
    Catch::Session session;
    std::string cpu_target;
    session.cli(session.cli() | Catch::clara::Opt(cpu_target, "name")["--cpu-target"](
                                    "run the CPU libraries on this target of PRCM_CPU_TARGETS"));
    if (int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
    if (!cpu_target.empty()) {
        const prcm::Status s = prcm::force_cpu_target(cpu_target);
        if (s.kind() == prcm::ErrorKind::unavailable) {
            // The ctest of a target is named "cpu target NAME" (tests/CMakeLists.txt).
            std::cout << "SKIPPED  cpu target " << cpu_target << ": " << s.message() << "\n";
            return 77;
        }
        if (!s) {
            std::cerr << "--cpu-target: " << s.message() << "\n";
            return 2;
        }
    }
    return session.run();
}
