// Progress of long runs, on stderr so that stdout stays a clean table: one line
// rewritten in place (\r) on a terminal, plain lines in a file or a CI log, nothing
// with --quiet.
#pragma once

#include <chrono>
#include <csignal>
#include <cstddef>
#include <string>

namespace prcm::cli {

// Set while a progress line without its newline is on stderr, for the signal handler.
extern volatile std::sig_atomic_t stderr_mid_line;

void set_quiet(bool quiet);  // --quiet: no progress at all
bool quiet();

class Progress {
public:
    explicit Progress(size_t total);
    void step(const std::string &group, const std::string &what);
    void finish();  // clears the terminal line, if one is shown

private:
    size_t total_, done_ = 0;
    bool terminal_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace prcm::cli
