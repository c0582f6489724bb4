// Ctrl-C or a kill: the output being written is removed (the old file stays), one
// line says so, and the exit code says which signal. Only async-signal-safe calls.
#include "cli.h"

#include "prcm/files.h"

#include <unistd.h>

#include <csignal>
#include <cstring>

namespace {
extern "C" void on_interrupt(int signal) {
    prcm::remove_temporary_files_now();
    static const char message[] = "\nprcm: interrupted\n";
    const size_t skip = prcm::cli::stderr_mid_line ? 0 : 1;  // after a progress line, end it first
    ssize_t ignored = ::write(STDERR_FILENO, message + skip, sizeof message - 1 - skip);
    (void)ignored;
    ::_exit(signal == SIGINT ? prcm::cli::exit_interrupted : prcm::cli::exit_terminated);
}

}  // namespace

namespace prcm::cli {

void install_signal_handlers() {
    struct sigaction action;
    std::memset(&action, 0, sizeof action);
    action.sa_handler = on_interrupt;
    sigemptyset(&action.sa_mask);
    sigaddset(&action.sa_mask, SIGINT);
    sigaddset(&action.sa_mask, SIGTERM);
    for (int signal : {SIGINT, SIGTERM}) sigaction(signal, &action, nullptr);
}

}  // namespace prcm::cli
