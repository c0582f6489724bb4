#pragma once

#include <string>
#include <utility>

namespace prcm {

// The outcome of anything that can go wrong with user input or the device; the
// message names the problem in the user's terms (PyTorch names and shapes).
class Status {
public:
    static Status ok() { return Status(); }
    static Status error(std::string message) { return Status(std::move(message)); }
    bool is_ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const std::string &message() const { return message_; }

private:
    Status() = default;
    explicit Status(std::string m) : ok_(false), message_(std::move(m)) {}
    bool ok_ = true;
    std::string message_;
};

}  // namespace prcm
