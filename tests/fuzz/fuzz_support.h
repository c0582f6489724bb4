// What every fuzz target checks besides "no crash, no sanitizer report": a
// refusal is ErrorKind::invalid (the inputs are small, so never "out of memory")
// and its message can go to a terminal as it is.
#pragma once

#include "prcm/status.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace prcm::fuzz {

[[noreturn]] inline void broken(const char *what, const std::string &detail) {
    std::fprintf(stderr, "fuzz invariant broken: %s: %s\n", what, detail.c_str());
    std::abort();
}

inline void check_printable(const std::string &text) {
    for (char ch : text) {
        const unsigned char c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7f) broken("a control character reaches the message", text);
    }
}

inline void check_refusal(const Status &s, bool printable = true) {
    if (s.kind() != ErrorKind::invalid) broken("a refusal that is not ErrorKind::invalid", s.message());
    if (s.message().empty()) broken("a refusal without a message", "");
    if (printable) check_printable(s.message());
}

}  // namespace prcm::fuzz
