#include "prcm/io.h"

#include "prcm/files.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <new>
#include <set>
#include <sstream>
#include <string_view>
#include <vector>

namespace prcm {

namespace {

size_t element_count(const TorchShape &shape) {
    size_t n = 1;
    for (int e : shape) n *= static_cast<size_t>(e);
    return n;
}

std::string row_major_bytes(const Tensor &t) {
    const TorchShape shape = torch_shape(t);
    std::string bytes(element_count(shape) * sizeof(float), '\0');
    Tensor dense = make_tensor(shape);
    dense.copy_from(t);
    std::memcpy(bytes.data(), dense.data(), bytes.size());
    return bytes;
}

bool has_control_characters(std::string_view s) {
    for (size_t i = 0; i < s.size(); i++) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f) return true;
        if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
            static_cast<unsigned char>(s[i + 1]) < 0xa0) {
            return true;
        }
    }
    return false;
}

// Where a loader's bytes come from. A file is read piece by piece: its size
// first, then the few bytes of its header, and its data only once the header
// has been checked against that size, so a hostile header costs nothing.
class ByteSource {
public:
    virtual ~ByteSource() = default;
    virtual uint64_t size() const = 0;
    // Reads n bytes at offset into dst; false if they are not all there.
    virtual bool read(uint64_t offset, size_t n, char *dst) = 0;
};

class FileSource final : public ByteSource {
public:
    ~FileSource() override {
        if (fd_ >= 0) ::close(fd_);
    }
    Status open(const std::string &path) {
        // O_NONBLOCK: opening a FIFO would wait for a writer; it is refused below.
        fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd_ < 0) return Status::error(path + ": cannot open (" + std::strerror(errno) + ")");
        struct stat st {};
        if (::fstat(fd_, &st) != 0) return Status::error(path + ": cannot stat (" + std::strerror(errno) + ")");
        if (S_ISDIR(st.st_mode)) return Status::error(path + ": is a folder, not a file");
        if (!S_ISREG(st.st_mode)) {
            return Status::error(path + ": not a regular file (a pipe or a device); the loader needs its size");
        }
        size_ = static_cast<uint64_t>(st.st_size);
        return Status::ok();
    }
    uint64_t size() const override { return size_; }
    bool read(uint64_t offset, size_t n, char *dst) override {
        while (n > 0) {
            const ssize_t got = ::pread(fd_, dst, n, static_cast<off_t>(offset));
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) return false;  // an error, or the file shrank since fstat
            dst += got;
            offset += static_cast<uint64_t>(got);
            n -= static_cast<size_t>(got);
        }
        return true;
    }

private:
    int fd_ = -1;
    uint64_t size_ = 0;
};

class StringSource final : public ByteSource {
public:
    explicit StringSource(const std::string &bytes) : bytes_(bytes) {}
    uint64_t size() const override { return bytes_.size(); }
    bool read(uint64_t offset, size_t n, char *dst) override {
        if (offset > bytes_.size() || n > bytes_.size() - offset) return false;
        std::memcpy(dst, bytes_.data() + offset, n);
        return true;
    }

private:
    const std::string &bytes_;
};

// Reads n bytes at offset as a string; the caller has checked they are in the source.
Status read_string(ByteSource &src, const std::string &name, uint64_t offset, size_t n, std::string *out) {
    out->assign(n, '\0');
    if (!src.read(offset, n, out->data())) {
        return Status::error(name + ": read failed at byte " + std::to_string(offset) +
                             " (the file changed or cannot be read)");
    }
    return Status::ok();
}

// A dense tensor of `shape` filled from `bytes` bytes at `offset` (the row-major
// torch layout: Halide buffers made by make_tensor are dense with torch's last
// axis innermost). The shape and the bytes have been checked against the source.
Status read_tensor(ByteSource &src, const std::string &what, const TorchShape &shape, uint64_t offset, size_t bytes,
                   Tensor *tensor) {
    Tensor t;
    if (Status s = make_tensor_checked(shape, &t); !s) return s.prefixed(what + ": ");
    if (bytes > 0 && !src.read(offset, bytes, reinterpret_cast<char *>(t.data()))) {
        return Status::error(what + ": read failed at byte " + std::to_string(offset) +
                             " (the file changed or cannot be read)");
    }
    t.set_host_dirty();
    *tensor = std::move(t);
    return Status::ok();
}

uint64_t little_endian(const unsigned char *p, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return v;
}

// ---- .npy ----------------------------------------------------------------
//
// numpy reads the header with ast.literal_eval, then wants a dict with exactly the
// keys 'descr' (a str), 'fortran_order' (a bool) and 'shape' (a tuple of ints)
// (numpy/lib/format.py, _read_array_header). This parser accepts the part of that
// language any writer uses, and nothing numpy refuses:
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }   and padding
// Strings in ' or " without escapes; True and False; tuples (), (3,), (2, 3) and
// (2, 3,); decimal integers without sign, underscores or leading zeros; trailing
// commas in the dict and the tuples; spaces and tabs before the dict, Python's
// whitespace (space, tab, form feed, \r, \n) inside it and after it. Refused
// although literal_eval takes them: comments, backslash continuations, string
// prefixes, escapes and implicit concatenation, "+2", "0x2", "00", "2_0",
// "((2), 3)" and a repeated key (numpy keeps the last; which one the writer
// meant is unknown). Beyond the header: '>f4' (big-endian), Fortran order and
// zero-sized arrays are refused; the data may be followed by more bytes, as
// numpy allows (np.save can append arrays to one file).

struct NpyHeader {
    std::string descr;
    bool fortran_order = false;
    TorchShape shape;
};

class NpyHeaderParser {
public:
    explicit NpyHeaderParser(const std::string &text) : s_(text) {}

    // On failure, *error says what is wrong, without the header itself.
    bool parse(NpyHeader *out, std::string *error) {
        bool have_descr = false, have_fortran = false, have_shape = false;
        // literal_eval strips leading spaces and tabs; after a line break Python
        // would see an indented line ("\n {" is refused), so only those here.
        while (peek() == ' ' || peek() == '\t') i_++;
        if (!take('{')) return fail("it does not start with '{'", error);
        while (true) {
            skip_space();
            if (take('}')) break;
            std::string key;
            if (!string(&key, error)) return false;
            skip_space();
            if (!take(':')) return fail("no ':' after '" + printable(key) + "'", error);
            skip_space();
            bool *seen = key == "descr"           ? &have_descr
                         : key == "fortran_order" ? &have_fortran
                         : key == "shape"         ? &have_shape
                                                  : nullptr;
            if (seen == nullptr) {
                return fail("unexpected key '" + printable(key) + "'; numpy's are 'descr', 'fortran_order' and 'shape'",
                            error);
            }
            if (*seen) return fail("the key '" + key + "' appears twice", error);
            *seen = true;
            if (key == "descr") {
                if (peek() != '\'' && peek() != '"') return fail("'descr' is not a string", error);
                if (!string(&out->descr, error)) return false;
            } else if (key == "fortran_order") {
                const std::string word = identifier();
                if (word != "True" && word != "False") {
                    return fail("'fortran_order' is not True or False", error);
                }
                out->fortran_order = word == "True";
            } else if (!tuple(&out->shape, error)) {
                return false;
            }
            skip_space();
            if (take(',')) continue;
            skip_space();
            if (take('}')) break;
            return fail("expected ',' or '}' after the value of '" + key + "'", error);
        }
        skip_space();
        if (i_ != s_.size()) return fail("text after the closing '}'", error);
        if (!have_descr) return fail("no 'descr'", error);
        if (!have_fortran) return fail("no 'fortran_order'", error);
        if (!have_shape) return fail("no 'shape'", error);
        return true;
    }

private:
    static bool fail(const std::string &what, std::string *error) {
        *error = what;
        return false;
    }
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    bool take(char c) {
        if (i_ < s_.size() && s_[i_] == c) {
            i_++;
            return true;
        }
        return false;
    }
    void skip_space() {
        while (i_ < s_.size() && std::strchr(" \t\f\r\n", s_[i_]) != nullptr && s_[i_] != '\0') i_++;
    }
    std::string identifier() {
        const size_t start = i_;
        while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) i_++;
        return s_.substr(start, i_ - start);
    }
    bool string(std::string *out, std::string *error) {
        const char quote = peek();
        if (quote != '\'' && quote != '"') return fail("expected a quoted key", error);
        const size_t start = ++i_;
        while (i_ < s_.size() && s_[i_] != quote) {
            const unsigned char c = static_cast<unsigned char>(s_[i_]);
            if (c == '\\') return fail("a string with a backslash escape", error);
            if (c < 0x20 || c >= 0x7f) return fail("a string with a control or non-ASCII character", error);
            i_++;
        }
        if (i_ == s_.size()) return fail("an unterminated string", error);
        *out = s_.substr(start, i_ - start);
        i_++;
        return true;
    }
    bool tuple(TorchShape *out, std::string *error) {
        if (!take('(')) return fail("'shape' is not a tuple", error);
        out->clear();
        skip_space();
        if (take(')')) return true;  // ()
        while (true) {
            skip_space();
            const size_t start = i_;
            while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') i_++;
            const std::string digits = s_.substr(start, i_ - start);
            if (digits.empty()) return fail("'shape' holds something other than non-negative integers", error);
            if (digits.size() > 1 && digits[0] == '0') return fail("'shape' has a number with a leading zero", error);
            if (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_' || peek() == '.') {
                return fail("'shape' holds something other than non-negative integers", error);
            }
            if (digits.size() > 10 || std::stoll(digits) > std::numeric_limits<int32_t>::max()) {
                return fail("a size in 'shape' is over 2147483647", error);
            }
            if (out->size() == max_tensor_rank) {
                return fail("'shape' has more than " + std::to_string(max_tensor_rank) + " sizes", error);
            }
            out->push_back(static_cast<int>(std::stoll(digits)));
            skip_space();
            if (take(')')) {
                // (3) is an int in Python, not a tuple.
                if (out->size() == 1) return fail("'shape' is not a tuple: (n) needs a comma, (n,)", error);
                return true;
            }
            if (!take(',')) return fail("expected ',' or ')' in 'shape'", error);
            skip_space();
            if (take(')')) return true;  // (2,) and (2, 3,)
        }
    }

    const std::string &s_;
    size_t i_ = 0;
};

// numpy refuses headers longer than this by default (max_header_size).
constexpr uint64_t npy_max_header = 10000;

Status load_npy_from(ByteSource &src, const std::string &name, Tensor *tensor) {
    const uint64_t size = src.size();
    unsigned char pre[12] = {};
    if (size < 10 || !src.read(0, 10, reinterpret_cast<char *>(pre)) || std::memcmp(pre, "\x93NUMPY", 6) != 0) {
        return Status::error(name + ": not a .npy file (no \\x93NUMPY magic)");
    }
    const int major = pre[6], minor = pre[7];
    uint64_t header_len = 0, header_start = 0;
    if ((major == 1 || major == 2 || major == 3) && minor == 0) {
        const int len_bytes = major == 1 ? 2 : 4;
        header_start = 8 + len_bytes;
        if (size < header_start || !src.read(8, len_bytes, reinterpret_cast<char *>(pre + 8))) {
            return Status::error(name + ": truncated .npy header");
        }
        header_len = little_endian(pre + 8, len_bytes);
    } else {
        return Status::error(name + ": unsupported .npy version " + std::to_string(major) + "." +
                             std::to_string(minor) + " (numpy writes 1.0, 2.0 and 3.0)");
    }
    if (header_len > npy_max_header) {
        return Status::error(name + ": .npy header of " + std::to_string(header_len) +
                             " bytes; numpy refuses headers over " + std::to_string(npy_max_header));
    }
    if (header_len > size - header_start) {
        return Status::error(name + ": truncated .npy header: it says " + std::to_string(header_len) +
                             " bytes, the file has " + std::to_string(size - header_start) + " after the preamble");
    }
    std::string header;
    if (Status s = read_string(src, name, header_start, header_len, &header); !s) return s;
    NpyHeader h;
    std::string what;
    if (!NpyHeaderParser(header).parse(&h, &what)) {
        std::string shown = header.substr(0, 200);
        while (!shown.empty() && std::isspace(static_cast<unsigned char>(shown.back()))) shown.pop_back();
        return Status::error(name + ": malformed .npy header (" + what + "): " + printable(shown) +
                             (header.size() > 200 ? "..." : ""));
    }
    if (h.descr == ">f4") {
        return Status::error(name + ": big-endian float32 ('>f4'); save it little-endian with .astype('<f4')");
    }
    // '=' and '|' mean native byte order, which is little-endian on every host the project builds for.
    if (h.descr != "<f4" && h.descr != "=f4" && h.descr != "|f4") {
        return Status::error(name + ": dtype '" + printable(h.descr) +
                             "', expected float32 ('<f4'); convert with .astype(np.float32)");
    }
    if (h.fortran_order) return Status::error(name + ": Fortran-ordered array; save a C-contiguous one");
    size_t need = 0;
    if (Status s = check_tensor_shape(h.shape, &need); !s) return s.prefixed(name + ": ");
    if (need == 0) {
        return Status::error(name + ": shape " + shape_string(h.shape) +
                             " has no elements; an input needs at least one");
    }
    const uint64_t data_start = header_start + header_len;
    // numpy reads the elements it needs and ignores what follows them (np.save
    // can append several arrays to one file), so trailing bytes are accepted.
    if (size - data_start < need) {
        return Status::error(name + ": truncated: shape " + shape_string(h.shape) + " needs " + std::to_string(need) +
                             " bytes of data, the file has " + std::to_string(size - data_start));
    }
    return read_tensor(src, name, h.shape, data_start, need, tensor);
}

// ---- safetensors -----------------------------------------------------------
//
// The rules are the `safetensors` package's (its Rust crate, which the Python
// package runs; checked against safetensors 0.8 on crafted files):
//  - an 8-byte little-endian header length, at most 100,000,000, within the file;
//  - a JSON object (leading and trailing JSON whitespace allowed, nesting at most
//    127 deep) of tensor entries and an optional "__metadata__", null or an
//    object mapping strings to strings;
//  - each entry an object with "dtype" (one of the package's names), "shape" (a
//    list of non-negative integers: 8.9, 3.0, 3e0 and -0 are floats to it) and
//    "data_offsets" (exactly two non-negative integers); other fields are ignored;
//  - the entries' byte ranges, sorted by offset, contiguous from 0 and covering
//    the data exactly: no gap, no overlap, no trailing byte, and each the size
//    its dtype and shape give (the products checked for overflow).
// Also refused here, although the package takes them: a key that appears twice
// in any object (the package keeps the last tensor of a name; nlohmann's DOM
// would too, hence the SAX reader), tensors other than F32 (but BatchNorm's
// num_batches_tracked, skipped), shapes of more than max_tensor_rank sizes, and
// names with control characters. Zero-sized tensors load, as in the package: SE
// with C // r == 0 has them (fc1.weight [0, C], fc1.bias [0], fc2.weight [C, 0]).

constexpr uint64_t safetensors_max_header = 100'000'000;
constexpr int safetensors_max_depth = 127;  // serde_json's recursion limit, as the package meets it

// The package's dtypes and their sizes in bits.
int dtype_bits(const std::string &dtype) {
    static const std::map<std::string, int> bits = {
        {"BOOL", 8}, {"U8", 8},   {"I8", 8},    {"F8_E5M2", 8}, {"F8_E4M3", 8}, {"F8_E8M0", 8}, {"I16", 16},
        {"U16", 16}, {"F16", 16}, {"BF16", 16}, {"I32", 32},    {"U32", 32},    {"F32", 32},    {"F64", 64},
        {"I64", 64}, {"U64", 64}, {"C64", 64},  {"F4", 4},      {"F6_E2M3", 6}, {"F6_E3M2", 6},
    };
    const auto it = bits.find(dtype);
    return it == bits.end() ? 0 : it->second;
}

struct SafetensorsEntry {
    std::string name;
    std::string dtype;
    std::vector<uint64_t> shape;
    std::vector<uint64_t> offsets;
    bool has_dtype = false, has_shape = false, has_offsets = false;
};

// nlohmann's SAX interface: the header is checked event by event, without a DOM.
class SafetensorsHeaderReader {
public:
    using json = nlohmann::json;
    std::vector<SafetensorsEntry> entries;
    std::string error;  // set when a callback returns false

    bool null() { return value(Value::null); }
    bool boolean(bool) { return value(Value::other); }
    bool number_integer(json::number_integer_t) { return value(Value::signed_integer); }
    bool number_unsigned(json::number_unsigned_t v) {
        number_ = v;
        return value(Value::unsigned_integer);
    }
    bool number_float(json::number_float_t v, const json::string_t &) {
        if (!std::isfinite(v)) return fail("a number out of range");
        return value(Value::floating);
    }
    bool string(json::string_t &s) {
        string_ = std::move(s);
        return value(Value::string);
    }
    bool binary(json::binary_t &) { return fail("binary data"); }
    bool start_object(std::size_t) { return open(Value::object); }
    bool start_array(std::size_t) { return open(Value::array); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }
    bool key(json::string_t &k) {
        Level &level = stack_.back();
        if (!level.keys.insert(k).second) {
            return fail(level.state == State::top ? "the key '" + printable(k) + "' appears twice"
                                                  : "the key '" + printable(k) + "' appears twice in " + where());
        }
        key_ = std::move(k);
        return true;
    }
    bool parse_error(std::size_t, const std::string &, const nlohmann::detail::exception &e) {
        // what() is "[json.exception.parse_error.101] parse error at line 1, column 5: ..."
        const std::string what = e.what();
        const size_t cut = what.find("] ");
        // It quotes the bytes it last read, raw: escape them.
        return fail(printable(cut == std::string::npos ? what : what.substr(cut + 2)));
    }

private:
    enum class Value { null, other, signed_integer, unsigned_integer, floating, string, object, array };
    // What the innermost open object or array is.
    enum class State { top, metadata, entry, shape, offsets, skipped };
    struct Level {
        State state;
        std::set<std::string> keys;
    };

    bool fail(const std::string &what) {
        if (error.empty()) error = what;
        return false;
    }
    std::string where() const {
        if (stack_.size() >= 2 && stack_[1].state == State::metadata) return "__metadata__";
        return "tensor '" + printable(entries.empty() ? std::string() : entries.back().name) + "'";
    }
    // A value begins: a scalar (`kind`), or an object or array (open() pushes it).
    bool value(Value kind) {
        if (stack_.empty()) return fail("not a JSON object");
        const State state = stack_.back().state;
        switch (state) {
            case State::top:
                if (key_ == "__metadata__") {
                    if (kind == Value::null) return true;
                    return fail("__metadata__ is not an object of strings");
                }
                return fail("the entry of tensor '" + printable(key_) + "' is not an object");
            case State::metadata:
                if (kind != Value::string)
                    return fail("__metadata__ maps '" + printable(key_) + "' to something other than a string");
                return true;
            case State::entry: {
                SafetensorsEntry &e = entries.back();
                if (key_ == "dtype") {
                    if (kind != Value::string)
                        return fail("the dtype of tensor '" + printable(e.name) + "' is not a string");
                    e.dtype = string_;
                    e.has_dtype = true;
                } else if (key_ == "shape" || key_ == "data_offsets") {
                    return fail("the " + key_ + " of tensor '" + printable(e.name) + "' is not a list");
                }
                return true;  // another field: ignored, as the package does
            }
            case State::shape:
            case State::offsets: {
                SafetensorsEntry &e = entries.back();
                const char *field = state == State::shape ? "shape" : "data_offsets";
                if (kind != Value::unsigned_integer) {
                    return fail(std::string("the ") + field + " of tensor '" + printable(e.name) +
                                "' has an element that is not a non-negative integer");
                }
                std::vector<uint64_t> &list = state == State::shape ? e.shape : e.offsets;
                if (state == State::offsets && list.size() == 2) {
                    return fail("the data_offsets of tensor '" + printable(e.name) + "' are not two integers");
                }
                if (state == State::shape && list.size() == max_tensor_rank) {
                    return fail("the shape of tensor '" + printable(e.name) + "' has more than " +
                                std::to_string(max_tensor_rank) + " sizes");
                }
                list.push_back(number_);
                return true;
            }
            case State::skipped: return true;
        }
        return true;
    }
    bool open(Value kind) {
        if (stack_.size() + 1 > static_cast<size_t>(safetensors_max_depth)) return fail("nested too deeply");
        State next = State::skipped;
        if (stack_.empty()) {
            if (kind != Value::object) return fail("not a JSON object");
            next = State::top;
        } else {
            switch (stack_.back().state) {
                case State::top:
                    if (kind == Value::object) {
                        if (key_ == "__metadata__") {
                            next = State::metadata;
                        } else {
                            next = State::entry;
                            entries.push_back(SafetensorsEntry{key_, "", {}, {}});
                        }
                    } else if (!value(Value::array)) {
                        return false;
                    }
                    break;
                case State::entry:
                    if (key_ == "shape" && kind == Value::array) {
                        next = State::shape;
                        entries.back().has_shape = true;
                    } else if (key_ == "data_offsets" && kind == Value::array) {
                        next = State::offsets;
                        entries.back().has_offsets = true;
                    } else if (!value(kind)) {
                        return false;
                    }
                    break;
                case State::skipped: break;
                default:  // an object or list where a string or number belongs
                    if (!value(kind)) return false;
                    break;
            }
        }
        stack_.push_back(Level{next, {}});
        return true;
    }
    bool close() {
        const State state = stack_.back().state;
        stack_.pop_back();
        if (state == State::entry) {
            const SafetensorsEntry &e = entries.back();
            const char *missing = !e.has_dtype     ? "dtype"
                                  : !e.has_shape   ? "shape"
                                  : !e.has_offsets ? "data_offsets"
                                                   : nullptr;
            if (missing) return fail("tensor '" + printable(e.name) + "' has no " + missing);
        }
        if (state == State::offsets && entries.back().offsets.size() != 2) {
            return fail("the data_offsets of tensor '" + printable(entries.back().name) + "' are not two integers");
        }
        return true;
    }

    std::vector<Level> stack_;
    std::string key_, string_;
    uint64_t number_ = 0;
};

Status load_safetensors_from(ByteSource &src, const std::string &name, Weights *weights) {
    const uint64_t size = src.size();
    unsigned char len_bytes[8];
    if (size < 8 || !src.read(0, 8, reinterpret_cast<char *>(len_bytes))) {
        return Status::error(name + ": truncated: shorter than the 8-byte header length");
    }
    const uint64_t header_len = little_endian(len_bytes, 8);
    if (header_len > size - 8) {
        return Status::error(name + ": truncated or not safetensors: header of " + std::to_string(header_len) +
                             " bytes, file of " + std::to_string(size));
    }
    if (header_len > safetensors_max_header) {
        return Status::error(name + ": header of " + std::to_string(header_len) +
                             " bytes; the safetensors format allows at most " + std::to_string(safetensors_max_header));
    }
    std::string text;
    if (Status s = read_string(src, name, 8, header_len, &text); !s) return s;
    // nlohmann skips a byte-order mark and stops at a NUL as if the text ended
    // there; the package refuses both (a NUL is never valid JSON, raw).
    if (text.starts_with("\xEF\xBB\xBF")) {
        return Status::error(name + ": malformed safetensors header: it starts with a byte-order mark");
    }
    if (const size_t nul = text.find('\0'); nul != std::string::npos) {
        return Status::error(name + ": malformed safetensors header: a NUL byte at byte " + std::to_string(nul) +
                             " of it");
    }
    SafetensorsHeaderReader reader;
    bool parsed = false;
    try {
        parsed = nlohmann::json::sax_parse(text, &reader);
    } catch (const std::exception &e) {  // sax_parse reports through parse_error; this is a backstop
        reader.error = e.what();
    }
    if (!parsed) {
        return Status::error(name + ": malformed safetensors header: " +
                             (reader.error.empty() ? std::string("not a JSON object") : reader.error));
    }
    text.clear();
    text.shrink_to_fit();

    // The byte ranges, as the package checks them: sorted, contiguous, covering.
    std::vector<SafetensorsEntry> &entries = reader.entries;
    std::sort(entries.begin(), entries.end(),
              [](const SafetensorsEntry &a, const SafetensorsEntry &b) { return a.offsets < b.offsets; });
    const uint64_t data_start = 8 + header_len;
    const uint64_t data_size = size - data_start;
    uint64_t covered = 0;
    for (const SafetensorsEntry &e : entries) {
        const std::string tensor = "tensor '" + printable(e.name) + "'";
        const int bits = dtype_bits(e.dtype);
        if (bits == 0)
            return Status::error(name + ": " + tensor + " has an unknown dtype '" + printable(e.dtype) + "'");
        const uint64_t begin = e.offsets[0], end = e.offsets[1];
        uint64_t count = 1;
        bool overflow = false;
        for (uint64_t d : e.shape) overflow |= __builtin_mul_overflow(count, d, &count);
        uint64_t need_bits = 0;
        overflow |= __builtin_mul_overflow(count, static_cast<uint64_t>(bits), &need_bits);
        std::string shape_text = "[";
        for (size_t i = 0; i < e.shape.size(); i++) shape_text += (i ? ", " : "") + std::to_string(e.shape[i]);
        shape_text += "]";
        if (overflow)
            return Status::error(name + ": " + tensor + " of shape " + shape_text +
                                 " is too large: its size overflows");
        if (need_bits % 8 != 0) {
            return Status::error(name + ": " + tensor + " of shape " + shape_text + " is not a whole number of bytes");
        }
        const uint64_t need = need_bits / 8;
        if (end > data_size) {
            return Status::error(name + ": truncated: " + tensor + " ends at byte " + std::to_string(end) +
                                 " of the data, which has " + std::to_string(data_size));
        }
        if (end < begin || end - begin != need) {
            return Status::error(name + ": " + tensor + " of shape " + shape_text + " needs " + std::to_string(need) +
                                 " bytes, its data_offsets give " + std::to_string(end >= begin ? end - begin : 0));
        }
        if (begin != covered) {
            return Status::error(
                name + ": " + tensor + " starts at byte " + std::to_string(begin) + " of the data, not " +
                std::to_string(covered) +
                (begin > covered ? " (a gap: bytes no tensor owns)" : " (it overlaps the tensor before it)"));
        }
        covered = end;
    }
    if (covered != data_size) {
        return Status::error(name + ": the tensors cover " + std::to_string(covered) + " bytes of data, the file has " +
                             std::to_string(data_size) + " (bytes that no tensor owns)");
    }

    // What this loader takes, in name order so the first error is the same every time.
    std::sort(entries.begin(), entries.end(),
              [](const SafetensorsEntry &a, const SafetensorsEntry &b) { return a.name < b.name; });
    for (const SafetensorsEntry &e : entries) {
        const std::string tensor = "tensor '" + printable(e.name) + "'";
        if (has_control_characters(e.name)) {
            return Status::error(name + ": " + tensor + " has control characters in its name");
        }
        if (e.name.ends_with("num_batches_tracked")) continue;
        if (e.dtype != "F32") {
            return Status::error(name + ": " + tensor + " is " + e.dtype +
                                 ", expected F32 (save the state_dict as float32)");
        }
        for (uint64_t d : e.shape) {
            if (d > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
                return Status::error(name + ": " + tensor + " has a size over 2147483647");
            }
        }
    }
    Weights loaded;
    for (const SafetensorsEntry &e : entries) {
        if (e.name.ends_with("num_batches_tracked")) continue;
        // Every size fits in an int (checked above); make_tensor_checked checks the rest.
        const TorchShape shape(e.shape.begin(), e.shape.end());
        Tensor t;
        if (Status s = read_tensor(src, name + ": tensor '" + printable(e.name) + "'", shape, data_start + e.offsets[0],
                                   e.offsets[1] - e.offsets[0], &t);
            !s) {
            return s;
        }
        loaded.emplace(e.name, std::move(t));
    }
    *weights = std::move(loaded);
    return Status::ok();
}

}  // namespace

// The loaders' failures that are not the input's fault: memory for a header's
// bookkeeping (the tensors themselves are allocated by make_tensor_checked).
template <typename Load>
Status out_of_memory_is_failed(const std::string &name, Load load) {
    try {
        return load();
    } catch (const std::bad_alloc &) {
        return Status::failed(name + ": out of memory while reading it");
    }
}

Status parse_npy(const std::string &bytes, const std::string &name, Tensor *tensor) {
    return out_of_memory_is_failed(name, [&] {
        StringSource src(bytes);
        return load_npy_from(src, name, tensor);
    });
}

Status load_npy(const std::string &path, Tensor *tensor) {
    return out_of_memory_is_failed(path, [&] {
        FileSource src;
        if (Status s = src.open(path); !s) return s;
        return load_npy_from(src, path, tensor);
    });
}

Status save_npy(const std::string &path, const Tensor &tensor) {
    const TorchShape shape = torch_shape(tensor);
    std::string dims;
    for (int e : shape) dims += std::to_string(e) + ", ";
    if (shape.size() > 1)
        dims.erase(dims.size() - 2);  // (a, b) but (a,)
    else if (!dims.empty())
        dims.erase(dims.size() - 1);
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    // Version 1.0: the whole preamble is a multiple of 64 bytes, ending in '\n'.
    const size_t unpadded = 10 + header.size() + 1;
    header += std::string((64 - unpadded % 64) % 64, ' ') + "\n";
    std::string bytes = "\x93NUMPY";
    bytes += '\x01';
    bytes += '\x00';
    bytes += static_cast<char>(header.size() & 0xff);
    bytes += static_cast<char>(header.size() >> 8);
    bytes += header;
    bytes += row_major_bytes(tensor);
    return write_file_atomically(path, bytes);
}

Status parse_safetensors(const std::string &bytes, const std::string &name, Weights *weights) {
    return out_of_memory_is_failed(name, [&] {
        StringSource src(bytes);
        return load_safetensors_from(src, name, weights);
    });
}

Status load_safetensors(const std::string &path, Weights *weights) {
    return out_of_memory_is_failed(path, [&] {
        FileSource src;
        if (Status s = src.open(path); !s) return s;
        return load_safetensors_from(src, path, weights);
    });
}

Status save_safetensors(const std::string &path, const Weights &weights) {
    nlohmann::json header = nlohmann::json::object();
    std::string data;
    for (const auto &[name, tensor] : weights) {
        const std::string bytes = row_major_bytes(tensor);
        header[name] = {{"dtype", "F32"},
                        {"shape", torch_shape(tensor)},
                        {"data_offsets", {data.size(), data.size() + bytes.size()}}};
        data += bytes;
    }
    std::string text = header.dump();
    text += std::string((8 - text.size() % 8) % 8, ' ');  // keeps the data 8-byte aligned
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; i++) bytes[i] = static_cast<char>((static_cast<uint64_t>(text.size()) >> (8 * i)) & 0xff);
    return write_file_atomically(path, bytes + text + data);
}

}  // namespace prcm
