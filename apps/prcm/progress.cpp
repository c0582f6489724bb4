#include "progress.h"

#include <unistd.h>

#include <cstdio>

namespace prcm::cli {

volatile std::sig_atomic_t stderr_mid_line = 0;

namespace {
bool quiet_flag = false;
}

void set_quiet(bool q) { quiet_flag = q; }
bool quiet() { return quiet_flag; }

Progress::Progress(size_t total)
    : total_(total), terminal_(::isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}

void Progress::step(const std::string &group, const std::string &what) {
    done_++;
    if (quiet_flag) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double left = done_ > 1 ? elapsed / (done_ - 1) * (total_ - done_ + 1) : 0;
    if (terminal_) {
        std::fprintf(stderr, "\r[%s %zu/%zu] %-48.48s elapsed %5.1fs, ~%5.1fs left", group.c_str(), done_, total_,
                     what.c_str(), elapsed, left);
        stderr_mid_line = 1;
    } else {
        // A log reads line by line: no \r, no padding, no estimate to rewrite.
        std::fprintf(stderr, "[%s %zu/%zu] %s (elapsed %.1fs)\n", group.c_str(), done_, total_, what.c_str(), elapsed);
    }
    std::fflush(stderr);
}

void Progress::finish() {
    if (!terminal_ || quiet_flag || !stderr_mid_line) return;
    std::fprintf(stderr, "\r%*s\r", 100, "");
    std::fflush(stderr);
    stderr_mid_line = 0;
}

}  // namespace prcm::cli
