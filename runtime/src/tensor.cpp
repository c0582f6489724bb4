#include "prcm/tensor.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <new>
#include <sstream>

namespace prcm {

namespace {

// Halide's own allocate() dereferences what malloc returns; this one throws
// instead, and calloc's zeros are the zero fill.
void *zeroed_or_throw(size_t bytes) {
    void *p = std::calloc(1, bytes);
    if (p == nullptr) throw std::bad_alloc();
    return p;
}

// "1.5 GiB": the size of an allocation, for people.
std::string human_bytes(size_t bytes) {
    const char *units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024 && u < 6) {
        v /= 1024;
        u++;
    }
    std::ostringstream out;
    if (u == 0) {
        out << bytes << " bytes";
    } else {
        out.precision(1);
        out << std::fixed << v << " " << units[u];
    }
    return out.str();
}

}  // namespace

Tensor make_tensor(const TorchShape &shape) {
    std::vector<int> halide_extents(shape.rbegin(), shape.rend());
    Tensor t(nullptr, halide_extents);
    t.allocate(zeroed_or_throw, std::free);
    // The host holds the values (zeros) that count: a GPU call uploads only a host
    // marked dirty, and fill() used to mark it (without this, OpenCL read garbage).
    t.set_host_dirty();
    return t;
}

Status check_tensor_shape(const TorchShape &shape, size_t *bytes) {
    if (shape.size() > max_tensor_rank) {
        return Status::error("shape of " + std::to_string(shape.size()) + " dimensions; at most " +
                             std::to_string(max_tensor_rank) + " are supported");
    }
    for (int e : shape) {
        if (e < 0) return Status::error("shape " + shape_string(shape) + " has a negative size");
    }
    // Halide's strides are int32 and made as it makes them: innermost (torch's
    // last) first, each the product of the sizes inside it.
    uint64_t stride = 1;
    for (size_t i = shape.size(); i-- > 1;) {
        stride *= static_cast<uint64_t>(shape[i]);  // < 2^31 * 2^31: cannot wrap
        if (stride > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
            return Status::error("shape " + shape_string(shape) +
                                 " is too large: the sizes after the first multiply to more than 2147483647, "
                                 "more than a Halide buffer can index");
        }
    }
    constexpr uint64_t max_count = (uint64_t{1} << 62) / sizeof(float);
    uint64_t count = 1;
    if (std::find(shape.begin(), shape.end(), 0) != shape.end()) {
        count = 0;
    } else {
        for (int e : shape) {
            if (count > max_count / static_cast<uint64_t>(e)) {
                return Status::error("shape " + shape_string(shape) + " is too large: it has more than 2^60 elements");
            }
            count *= static_cast<uint64_t>(e);
        }
    }
    if (bytes != nullptr) *bytes = static_cast<size_t>(count * sizeof(float));
    return Status::ok();
}

Status make_tensor_checked(const TorchShape &shape, Tensor *tensor) {
    size_t bytes = 0;
    if (Status s = check_tensor_shape(shape, &bytes); !s) return s;
    try {
        *tensor = make_tensor(shape);
    } catch (const std::bad_alloc &) {
        return Status::failed("cannot allocate a tensor of shape " + shape_string(shape) + ": it needs " +
                              std::to_string(bytes) + " bytes (" + human_bytes(bytes) + ") of memory");
    }
    return Status::ok();
}

Status parse_torch_shape(const std::string &text, TorchShape *shape) {
    const std::string quoted = "'" + text + "'";
    TorchShape parsed;
    size_t start = 0;
    while (true) {
        const size_t comma = text.find(',', start);
        const std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        const size_t digits = part.starts_with('-') ? 1 : 0;
        if (part.size() == digits || part.find_first_not_of("0123456789", digits) != std::string::npos) {
            return Status::error(quoted + " is not N,C,H,W: " +
                                 (part.empty() ? std::string("an empty size") : "'" + part + "' is not an integer"));
        }
        // Digits only from here: the value's size is all that can go wrong.
        int64_t v = 0;
        for (size_t i = digits; i < part.size(); i++) {
            v = v * 10 + (part[i] - '0');
            if (v > std::numeric_limits<int32_t>::max()) {
                return Status::error(quoted + " is not N,C,H,W: '" + part + "' is out of range (at most 2147483647)");
            }
        }
        parsed.push_back(static_cast<int>(digits ? -v : v));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (parsed.size() != 4) return Status::error(quoted + " must have four sizes, N,C,H,W");
    for (int v : parsed) {
        if (v < 1) return Status::error(quoted + ": every size must be at least 1");
    }
    if (Status s = check_tensor_shape(parsed); !s) return s.prefixed(quoted + ": ");
    *shape = parsed;
    return Status::ok();
}

TorchShape torch_shape(const Tensor &t) {
    TorchShape s;
    for (int d = t.dimensions() - 1; d >= 0; d--) {
        s.push_back(t.dim(d).extent());
    }
    return s;
}

std::string shape_string(const TorchShape &shape) {
    std::ostringstream out;
    out << "[";
    for (size_t i = 0; i < shape.size(); i++) {
        out << (i ? ", " : "") << shape[i];
    }
    out << "]";
    return out.str();
}

RefTensor::RefTensor(TorchShape s) : shape(std::move(s)) {
    size_t count = 1;
    for (int e : shape) count *= static_cast<size_t>(e);
    data.assign(count, 0.0);
}

double &RefTensor::at(int n, int c, int h, int w) {
    return data[((static_cast<size_t>(n) * shape[1] + c) * shape[2] + h) * shape[3] + w];
}

}  // namespace prcm
