#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace prcm {

// What kind of failure a Status reports. The CLI's exit code follows the kind,
// never the message's text (README, "Exit codes").
enum class ErrorKind {
    none,         // ok
    invalid,      // bad arguments or input: a wrong shape, a malformed file, a bad flag (exit 2)
    unavailable,  // the device cannot run here: no GPU, no OpenCL platform (exit 3)
    failed,       // the work itself failed: a write error, a full disk, the device failed mid-call (exit 4)
};

// The outcome of anything that can go wrong with user input or the device; the
// message names the problem in the user's terms (PyTorch names and shapes).
class Status {
public:
    static Status ok() { return Status(); }
    static Status error(std::string message) { return Status(ErrorKind::invalid, std::move(message)); }
    static Status unavailable(std::string message) { return Status(ErrorKind::unavailable, std::move(message)); }
    static Status failed(std::string message) { return Status(ErrorKind::failed, std::move(message)); }
    bool is_ok() const { return kind_ == ErrorKind::none; }
    explicit operator bool() const { return is_ok(); }
    ErrorKind kind() const { return kind_; }
    const std::string &message() const { return message_; }
    // The same kind, with context put before the message ("input x.npy: ...").
    Status prefixed(const std::string &context) const {
        Status s = *this;
        if (!s.is_ok()) s.message_ = context + s.message_;
        return s;
    }

private:
    Status() = default;
    Status(ErrorKind k, std::string m) : kind_(k), message_(std::move(m)) {}
    ErrorKind kind_ = ErrorKind::none;
    std::string message_;
};

// Text from a user or a file as a terminal should show it: C0 controls, DEL, the
// C1 controls (U+0080..U+009F, U+009B is a CSI to some terminals) and bytes that
// are not UTF-8 become \xNN or \u00NN, so a file or tensor name cannot move the
// cursor or recolour the terminal. A backslash is kept, so escaping twice changes
// nothing (the CLI escapes whole messages that may quote escaped names). Newlines
// are kept where a message has several lines of its own.
std::string printable(std::string_view text, bool keep_newlines = false);

// The items of a list for a message: "a, b, c" ("" for none).
std::string join(const std::vector<std::string> &items, std::string_view separator = ", ");

}  // namespace prcm
