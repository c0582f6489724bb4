// What went wrong, told once: the exit code by the Status's kind (never its message),
// the one-line report on stderr, and the outputs checked before any work starts.
#include "cli.h"

#include "prcm/files.h"

#include <algorithm>
#include <iostream>

namespace prcm::cli {

int exit_code(const Status &s) {
    switch (s.kind()) {
        case ErrorKind::none: return exit_ok;
        case ErrorKind::invalid: return exit_invalid;
        case ErrorKind::unavailable: return exit_unavailable;
        case ErrorKind::failed: return exit_failed;
    }
    return exit_failed;
}

int exit_code(const VerifyResult &r) {
    switch (r.comparison.verdict) {
        case Verdict::passed: return exit_ok;
        case Verdict::skipped: return exit_unavailable;
        case Verdict::failed: return r.error.empty() ? exit_verification_failed : exit_failed;
        case Verdict::mistrusted: return exit_verification_failed;
    }
    return exit_failed;
}

const char *exit_code_help() {
    return "Exit status: 0 ok; 1 verification failed (a result differs from the reference);\n"
           "2 bad arguments or input; 3 device unavailable; 4 the work failed (an output could\n"
           "not be written, the device failed mid-call); 130 interrupted (SIGINT), 143 terminated\n"
           "(SIGTERM). Outputs are written whole or not at all: a temporary file renamed into place.";
}

int report_error(const char *command, const Status &s) {
    std::cerr << "prcm " << command << ": " << printable(s.message(), true) << "\n";
    return exit_code(s);
}

Status check_outputs(const std::vector<std::string> &outputs, const std::vector<std::string> &inputs) {
    std::vector<std::string> given;
    for (const std::string &path : outputs) {
        if (path.empty()) continue;
        if (std::find(given.begin(), given.end(), path) != given.end()) {
            return Status::error(printable(path) + " is named for two outputs, which would be the same file");
        }
        // Earlier outputs that exist already are "inputs" here too: the same file twice.
        std::vector<std::string> others = inputs;
        others.insert(others.end(), given.begin(), given.end());
        if (Status s = check_output_path(path, others); !s) return Status::error(printable(s.message()));
        given.push_back(path);
    }
    return Status::ok();
}

}  // namespace prcm::cli
