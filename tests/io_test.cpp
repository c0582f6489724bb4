// The loaders' checks on hostile input, each against a file crafted byte by
// byte: safetensors as the safetensors package validates it, .npy headers as
// numpy reads them (the cases were run through both: what they refuse is refused
// here; what is refused here beyond them says so), and the tensor shapes that
// come from users. tests/fuzz runs the same parsers under libFuzzer.
#include "test_support.h"

#include "prcm/io.h"

#include <sys/stat.h>
#include <unistd.h>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace prcm;

namespace {

// A temporary file holding `bytes`, removed at the end of the scope.
class TempFile {
public:
    TempFile(const std::string &bytes, const std::string &suffix)
        : path_((std::filesystem::temp_directory_path() /
                 ("prcm-io-test-" + std::to_string(getpid()) + "-" + std::to_string(counter_++) + suffix))
                    .string()) {
        std::ofstream(path_, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    ~TempFile() { std::remove(path_.c_str()); }
    const std::string &path() const { return path_; }

private:
    static inline int counter_ = 0;
    std::string path_;
};

std::string floats(size_t count) {
    std::string bytes;
    for (size_t i = 0; i < count; i++) {
        const float v = 1.0f + i;
        bytes.append(reinterpret_cast<const char *>(&v), sizeof v);
    }
    return bytes;
}

// A safetensors file's bytes: the 8-byte little-endian header length, the JSON
// header, then `data` (by default `data_bytes` bytes of floats 1.0, 2.0, ...).
std::string safetensors_bytes(const std::string &header, const std::string &data) {
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; i++) bytes[i] = static_cast<char>((uint64_t{header.size()} >> (8 * i)) & 0xff);
    return bytes + header + data;
}

class SafetensorsFile {
public:
    SafetensorsFile(const std::string &header, size_t data_bytes)
        : file_(safetensors_bytes(header, floats(data_bytes / sizeof(float))), ".safetensors") {}
    SafetensorsFile(const std::string &header, const std::string &data)
        : file_(safetensors_bytes(header, data), ".safetensors") {}
    Status load(Weights *w) const { return load_safetensors(file_.path(), w); }

private:
    TempFile file_;
};

// A .npy file's bytes: magic, version, header length (2 bytes in 1.0, 4 after),
// the header, then `data`. np.save pads the header to 64 bytes; `pad` does too.
std::string npy_bytes(std::string header, const std::string &data, int major = 1, int minor = 0, bool pad = true) {
    const size_t preamble = major == 1 ? 10 : 12;
    if (pad) {
        header += std::string((64 - (preamble + header.size() + 1) % 64) % 64, ' ');
        header += "\n";
    }
    std::string bytes = "\x93NUMPY";
    bytes += static_cast<char>(major);
    bytes += static_cast<char>(minor);
    for (size_t i = 0; i < preamble - 8; i++) bytes += static_cast<char>((header.size() >> (8 * i)) & 0xff);
    return bytes + header + data;
}

Status load_npy_bytes(const std::string &bytes, Tensor *t) {
    const TempFile file(bytes, ".npy");
    return load_npy(file.path(), t);
}

// The header np.save writes for a float32 array of this shape text ("(2, 3)").
std::string npy_header(const std::string &shape) {
    return "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
}

bool has_raw_control_characters(const std::string &text) {
    for (char c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
    }
    return false;
}

std::string entry(const std::string &shape, size_t begin, size_t end) {
    return R"({"w":{"dtype":"F32","shape":)" + shape + R"(,"data_offsets":[)" + std::to_string(begin) + "," +
           std::to_string(end) + "]}}";
}

}  // namespace

TEST_CASE("safetensors: a well-formed tensor loads with its values in row-major order", "[io]") {
    const SafetensorsFile file(entry("[2,3]", 0, 24), 24);
    Weights w;
    const Status s = file.load(&w);
    INFO(s.message());
    REQUIRE(s.is_ok());
    REQUIRE(torch_shape(w.at("w")) == TorchShape{2, 3});
    CHECK(w.at("w")(0, 0) == 1.0f);
    CHECK(w.at("w")(2, 0) == 3.0f);
    CHECK(w.at("w")(0, 1) == 4.0f);
    CHECK(w.at("w")(2, 1) == 6.0f);
}

TEST_CASE("safetensors: a shape that disagrees with its data_offsets, or offsets past the data, are refused", "[io]") {
    struct Bad {
        const char *shape;
        size_t begin, end, file_data;
        const char *message;
    };
    const Bad cases[] = {
        // The data is long enough for the offsets; the shape wants more or fewer bytes.
        {"[2,3]", 0, 16, 16, "tensor 'w' of shape [2, 3] needs 24 bytes, its data_offsets give 16"},
        {"[2,3]", 0, 16, 64, "tensor 'w' of shape [2, 3] needs 24 bytes, its data_offsets give 16"},
        {"[1000000,1000]", 0, 16, 16, "tensor 'w' of shape [1000000, 1000] needs 4000000000 bytes"},
        {"[2]", 0, 16, 16, "tensor 'w' of shape [2] needs 8 bytes, its data_offsets give 16"},
        {"[0]", 0, 4, 4, "tensor 'w' of shape [0] needs 0 bytes, its data_offsets give 4"},
        {"[]", 0, 8, 8, "tensor 'w' of shape [] needs 4 bytes, its data_offsets give 8"},
        // Shape and offsets agree; the data ends before the offsets do.
        {"[2,3]", 8, 32, 24, "truncated: tensor 'w' ends at byte 32 of the data, which has 24"},
    };
    for (const Bad &c : cases) {
        const SafetensorsFile file(entry(c.shape, c.begin, c.end), c.file_data);
        Weights w;
        const Status s = file.load(&w);
        INFO(c.shape << " over bytes " << c.begin << ".." << c.end << " of " << c.file_data << ": " << s.message());
        CHECK_FALSE(s.is_ok());
        CHECK(s.message().find(c.message) != std::string::npos);
        CHECK(w.empty());
    }
}

namespace {

// What a refusal must be: the input's fault, with this in its message, and
// nothing a terminal would act on.
void check_refused(const Status &s, const std::string &expected) {
    INFO("message: " << s.message());
    CHECK_FALSE(s.is_ok());
    CHECK(s.kind() == ErrorKind::invalid);
    CHECK(s.message().find(expected) != std::string::npos);
    CHECK_FALSE(has_raw_control_characters(s.message()));
}

void check_safetensors_refused(const std::string &header, const std::string &data, const std::string &expected) {
    INFO("header: " << header << " with " << data.size() << " bytes of data");
    const SafetensorsFile file(header, data);
    Weights w;
    check_refused(file.load(&w), expected);
    CHECK(w.empty());
}

const std::string W = R"("w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]})";

}  // namespace

TEST_CASE("safetensors: files as the package writes them load: metadata, padding, any order, BatchNorm's counter",
          "[io]") {
    // Offsets out of name order, __metadata__ (or null), JSON whitespace around the
    // object (the package pads with spaces), an I64 num_batches_tracked (skipped).
    const std::string header =
        R"( {"__metadata__":{"format":"pt"},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
        R"("bn.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[24,32]},)"
        R"("a":{"dtype":"F32","shape":[4],"data_offsets":[8,24],"extra":{"ignored":[1,2.5,null]}}}   )";
    const SafetensorsFile file(header, 32);
    Weights w;
    const Status s = file.load(&w);
    INFO(s.message());
    REQUIRE(s.is_ok());
    REQUIRE(w.size() == 2);
    CHECK(w.at("b")(0) == 1.0f);
    CHECK(w.at("a")(0) == 3.0f);
    CHECK(w.at("a")(3) == 6.0f);
    const SafetensorsFile null_metadata(R"({"__metadata__":null,)" + W + "}", 24);
    CHECK(null_metadata.load(&w).is_ok());
}

TEST_CASE("safetensors: a key that appears twice is refused, not silently the last one", "[io]") {
    // The package keeps the last tensor of a repeated name; which one the writer
    // meant is unknown, so both are refused here, at any level.
    check_safetensors_refused("{" + W + "," + W + "}", floats(6), "the key 'w' appears twice");
    check_safetensors_refused(R"({"w":{"dtype":"F32","dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})", floats(6),
                              "the key 'dtype' appears twice in tensor 'w'");
    check_safetensors_refused(R"({"__metadata__":{"a":"1"},"__metadata__":{"a":"2"},)" + W + "}", floats(6),
                              "the key '__metadata__' appears twice");
}

TEST_CASE("safetensors: the tensors' bytes are contiguous from 0 and cover the data exactly", "[io]") {
    // A gap before the tensor, two that overlap, bytes after the last one.
    check_safetensors_refused(R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[4,28]}})", floats(7),
                              "tensor 'w' starts at byte 4 of the data, not 0 (a gap");
    check_safetensors_refused(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                              R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                              floats(3), "tensor 'b' starts at byte 4 of the data, not 8 (it overlaps");
    check_safetensors_refused("{" + W + "}", floats(7), "the tensors cover 24 bytes of data, the file has 28");
    check_safetensors_refused("{}", floats(1), "the tensors cover 0 bytes of data, the file has 4");
    // A skipped counter still owns its bytes.
    check_safetensors_refused(
        R"({"bn.num_batches_tracked":{"dtype":"I64","shape":[],"data_offsets":[16,24]},)" + W + "}", floats(6),
        "starts at byte 16 of the data, not 24");
}

TEST_CASE("safetensors: shape and data_offsets hold non-negative integers, data_offsets exactly two", "[io]") {
    const struct {
        const char *shape, *offsets, *message;
    } cases[] = {
        // The package reads these as floats, never as sizes.
        {"[2,3.0]", "[0,24]", "the shape of tensor 'w' has an element that is not a non-negative integer"},
        {"[2,3e0]", "[0,24]", "the shape of tensor 'w' has an element that is not a non-negative integer"},
        {"[8.9]", "[0,32]", "the shape of tensor 'w' has an element that is not a non-negative integer"},
        {"[2,3]", "[-0,24]", "the data_offsets of tensor 'w' has an element that is not a non-negative integer"},
        {"[2,3]", "[0,24,24]", "the data_offsets of tensor 'w' are not two integers"},
        {"[2,3]", "[0]", "the data_offsets of tensor 'w' are not two integers"},
        {"[2,[3]]", "[0,24]", "the shape of tensor 'w' has an element that is not a non-negative integer"},
        {"null", "[0,24]", "the shape of tensor 'w' is not a list"},
    };
    for (const auto &c : cases) {
        check_safetensors_refused(
            std::string(R"({"w":{"dtype":"F32","shape":)") + c.shape + R"(,"data_offsets":)" + c.offsets + "}}",
            floats(6), c.message);
    }
}

TEST_CASE("safetensors: __metadata__ is null or maps strings to strings", "[io]") {
    check_safetensors_refused(R"({"__metadata__":{"a":1},)" + W + "}", floats(6),
                              "__metadata__ maps 'a' to something other than a string");
    check_safetensors_refused(R"({"__metadata__":[],)" + W + "}", floats(6),
                              "__metadata__ is not an object of strings");
    check_safetensors_refused(R"({"__metadata__":{"a":{"b":"c"}},)" + W + "}", floats(6),
                              "__metadata__ maps 'a' to something other than a string");
}

TEST_CASE("safetensors: sizes that overflow are refused before anything is allocated", "[io]") {
    // 65536^4 elements wrap to 0 in 64 bits: the offsets [0,0] then matched, and
    // Halide's int32 strides overflowed.
    check_safetensors_refused(R"({"w":{"dtype":"F32","shape":[65536,65536,65536,65536],"data_offsets":[0,0]}})", "",
                              "tensor 'w' of shape [65536, 65536, 65536, 65536] is too large: its size overflows");
    check_safetensors_refused(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,24]}})",
                              floats(6), "is too large: its size overflows");
}

TEST_CASE("safetensors: unknown and other dtypes are refused, zero-sized tensors load as in the package", "[io]") {
    // Not a dtype of the package, even on a tensor this loader would skip.
    check_safetensors_refused(R"({"bn.num_batches_tracked":{"dtype":"F33","shape":[],"data_offsets":[0,8]}})",
                              floats(2), "tensor 'bn.num_batches_tracked' has an unknown dtype 'F33'");
    // SE with C // r == 0 saves fc1.weight [0, C], fc1.bias [0] and fc2.weight [C, 0].
    Weights zero_sized;
    const Status s = SafetensorsFile(R"({"fc1.bias":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},)"
                                     R"("fc1.weight":{"dtype":"F32","shape":[0,5],"data_offsets":[0,0]}})",
                                     size_t{0})
                         .load(&zero_sized);
    INFO(s.message());
    REQUIRE(s.is_ok());
    CHECK(torch_shape(zero_sized.at("fc1.weight")) == TorchShape{0, 5});
    CHECK(torch_shape(zero_sized.at("fc1.bias")) == TorchShape{0});
    check_safetensors_refused(R"({"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", floats(1),
                              "tensor 'w' is F16, expected F32");
}

TEST_CASE("safetensors: a name's control characters never reach the terminal raw", "[io]") {
    check_safetensors_refused(R"({"w\u001b[31m":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}})", floats(6),
                              "tensor 'w\\x1b[31m' has control characters in its name");
    check_safetensors_refused(R"({"w\u009b31m":{"dtype":"I32","shape":[2,3],"data_offsets":[0,24]}})", floats(6),
                              "tensor 'w\\u009b31m' has control characters in its name");
    // A parse error quotes the bytes it last read (found by tests/fuzz).
    check_safetensors_refused(std::string("{\"\x7f\xaa\":{}}"), "", "malformed safetensors header");
}

TEST_CASE("safetensors: what nlohmann would take but the package refuses: NUL, byte-order mark, deep nesting", "[io]") {
    check_safetensors_refused("{" + W + std::string("}\0", 2), floats(6), "a NUL byte at byte");
    check_safetensors_refused("\xEF\xBB\xBF{" + W + "}", floats(6), "starts with a byte-order mark");
    // serde_json stops at 127 levels; this is 128.
    const std::string deep(126, '[');
    check_safetensors_refused(
        R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24],"x":)" + deep + std::string(126, ']') + "}}",
        floats(6), "nested too deeply");
    const SafetensorsFile ok(R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24],"x":)" + std::string(125, '[') +
                                 std::string(125, ']') + "}}",
                             24);
    Weights w;
    CHECK(ok.load(&w).is_ok());
}

TEST_CASE("npy: files np.save writes load, in versions 1.0, 2.0 and 3.0", "[io]") {
    const struct {
        const char *shape_text;
        TorchShape shape;
    } cases[] = {{"()", {}}, {"(5,)", {5}}, {"(2, 3, 4, 5)", {2, 3, 4, 5}}};
    for (const auto &c : cases) {
        for (int major : {1, 2, 3}) {
            size_t count = 1;
            for (int e : c.shape) count *= e;
            Tensor t;
            const Status s = load_npy_bytes(npy_bytes(npy_header(c.shape_text), floats(count), major), &t);
            INFO(c.shape_text << " in version " << major << ": " << s.message());
            REQUIRE(s.is_ok());
            CHECK(torch_shape(t) == c.shape);
            CHECK(t.data()[count - 1] == static_cast<float>(count));
        }
    }
    // What else numpy reads and writers produce: double quotes, keys in any order,
    // no trailing comma, (n, ) and whitespace, trailing bytes (np.save appends).
    for (const std::string header : {
             R"({"descr": "<f4", "fortran_order": False, "shape": (2, 3)})",
             "{'shape': (2, 3,), 'fortran_order': False, 'descr': '|f4'}",
             "{'descr':'=f4','fortran_order':False,'shape':(2,3)}",
             " {\n'descr' : '<f4' ,\r\n'fortran_order' : False ,\f'shape' : ( 2 , 3 , ) , }",
         }) {
        Tensor t;
        const Status s = load_npy_bytes(npy_bytes(header, floats(7)), &t);
        INFO(header << ": " << s.message());
        CHECK(s.is_ok());
        CHECK(torch_shape(t) == TorchShape{2, 3});
    }
}

TEST_CASE("npy: the header is parsed, not searched: a key inside a string is no key", "[io]") {
    // The 'shape' inside the string came first; a regex took it.
    Tensor t;
    check_refused(load_npy_bytes(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'x': \"'shape': (1,)\", "
                                           "'shape': (2, 3), }",
                                           floats(6)),
                                 &t),
                  "unexpected key 'x'");
    check_refused(load_npy_bytes(npy_bytes("{'descr': \"<f4', 'shape': (1,), 'x': '\", 'fortran_order': False, "
                                           "'shape': (2, 3), }",
                                           floats(6)),
                                 &t),
                  "dtype '<f4', 'shape': (1,), 'x': '', expected float32");
}

TEST_CASE("npy: the header is a dict of exactly descr, fortran_order and shape, with values of their types", "[io]") {
    const struct {
        const char *header, *message;
    } cases[] = {
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2.9, 3), }", "'shape' holds something other than"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2abc, 3), }", "'shape' holds something other than"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }", "'shape' holds something other than"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (6), }", "(n) needs a comma"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }", "'shape' is not a tuple"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 3), }", "over 2147483647"},
        {"{'descr': '<f4', 'fortran_order': Falsey, 'shape': (2, 3), }", "'fortran_order' is not True or False"},
        {"{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3), }", "'fortran_order' is not True or False"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}", "unexpected key 'extra'"},
        {"{'descr': '<f4', 'fortran_order': False}", "no 'shape'"},
        {"{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}", "'descr' appears twice"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)} # c", "text after the closing '}'"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ,}", "expected a quoted key"},
        {"{'descr': '\\x3cf4', 'fortran_order': False, 'shape': (2, 3)}", "a backslash escape"},
    };
    for (const auto &c : cases) {
        INFO(c.header);
        Tensor t;
        check_refused(load_npy_bytes(npy_bytes(c.header, floats(6)), &t), c.message);
    }
}

TEST_CASE("npy: dtype, byte order, memory order and version as numpy writes them for float32", "[io]") {
    Tensor t;
    check_refused(load_npy_bytes(npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (6,), }", floats(6)), &t),
                  "big-endian float32 ('>f4')");
    check_refused(load_npy_bytes(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", floats(6)), &t),
                  "dtype '<f8', expected float32");
    check_refused(
        load_npy_bytes(npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", floats(6)), &t),
        "Fortran-ordered");
    check_refused(load_npy_bytes(npy_bytes(npy_header("(6,)"), floats(6), 1, 1), &t), "unsupported .npy version 1.1");
    check_refused(load_npy_bytes(npy_bytes(npy_header("(6,)"), floats(6), 4, 0), &t), "unsupported .npy version 4.0");
}

TEST_CASE("npy: sizes are checked against the file and for overflow before anything is allocated", "[io]") {
    Tensor t;
    // 65536^4 wrapped to 0 bytes and passed; Halide's int32 strides cannot index it anyway.
    check_refused(load_npy_bytes(npy_bytes(npy_header("(65536, 65536, 65536, 65536)"), ""), &t),
                  "shape [65536, 65536, 65536, 65536] is too large");
    check_refused(load_npy_bytes(npy_bytes(npy_header("(1000000, 1000)"), floats(6)), &t),
                  "truncated: shape [1000000, 1000] needs 4000000000 bytes of data, the file has 24");
    check_refused(load_npy_bytes(npy_bytes(npy_header("(0,)"), ""), &t), "shape [0] has no elements");
    check_refused(load_npy_bytes(npy_bytes(npy_header("(1, 0, 3)"), ""), &t), "shape [1, 0, 3] has no elements");
    // A header length past the end of the file, and one past numpy's 10000 bytes.
    std::string bytes = npy_bytes("{}", "", 2, 0, false);
    bytes[8] = bytes[9] = bytes[10] = '\xff';
    bytes[11] = '\x7f';
    check_refused(load_npy_bytes(bytes, &t), "numpy refuses headers over 10000");
    check_refused(load_npy_bytes(npy_bytes(npy_header("(6,)") + std::string(10000, ' '), floats(6)), &t),
                  "numpy refuses headers over 10000");
    bytes = npy_bytes(npy_header("(6,)"), floats(6), 1, 0, false);
    bytes.resize(40);
    check_refused(load_npy_bytes(bytes, &t),
                  "truncated .npy header: it says 57 bytes, the file has 30 after the preamble");
}

TEST_CASE("loaders: a folder, a FIFO and a missing file are refused at once", "[io]") {
    Tensor t;
    Weights w;
    const std::string dir = std::filesystem::temp_directory_path().string();
    check_refused(load_npy(dir, &t), "is a folder");
    check_refused(load_safetensors(dir, &w), "is a folder");
    // Reading a FIFO blocks until a writer comes; the loaders need a size anyway.
    const std::string fifo = dir + "/prcm-io-test-" + std::to_string(getpid()) + ".fifo";
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    check_refused(load_npy(fifo, &t), "not a regular file");
    std::remove(fifo.c_str());
    check_refused(load_safetensors(dir + "/prcm-io-test-no-such-file", &w), "cannot open");
}

// ---- The checked shapes of tensor.h, and the loaders' in-memory entry points.

TEST_CASE("check_tensor_shape: negative sizes, overflow and what Halide cannot index", "[io][tensor]") {
    size_t bytes = 0;
    CHECK(check_tensor_shape({2, 3}, &bytes).is_ok());
    CHECK(bytes == 24);
    CHECK(check_tensor_shape({}, &bytes).is_ok());
    CHECK(bytes == 4);
    CHECK(check_tensor_shape({65536, 65536, 0}, &bytes).is_ok());  // Halide's strides, innermost first: 1, 0, 0
    CHECK(bytes == 0);
    check_refused(check_tensor_shape({2, -3}), "shape [2, -3] has a negative size");
    // Halide's strides are int32: every size but the outermost multiplies into one.
    CHECK(check_tensor_shape({4, 1, 2147483647}).is_ok());
    CHECK(check_tensor_shape({3, 65536, 32767}).is_ok());
    check_refused(check_tensor_shape({1, 65536, 32768}), "more than a Halide buffer can index");
    check_refused(check_tensor_shape({0, 65536, 65536}), "more than a Halide buffer can index");
    check_refused(check_tensor_shape({2147483647, 2147483647}), "more than 2^60 elements");
    check_refused(check_tensor_shape(TorchShape(33, 1)), "shape of 33 dimensions; at most 32");
}

TEST_CASE("make_tensor_checked: a failed allocation is ErrorKind::failed and says how much it needed", "[io][tensor]") {
    Tensor t;
    check_refused(make_tensor_checked({-1}, &t), "negative size");
    REQUIRE(make_tensor_checked({2, 3}, &t).is_ok());
    CHECK(torch_shape(t) == TorchShape{2, 3});
    CHECK(t(2, 1) == 0.0f);
#if defined(__SANITIZE_ADDRESS__)
    WARN("skipped: AddressSanitizer aborts on an allocation of 2^60 bytes instead of failing it");
#else
    // 2^60 bytes: a valid shape no machine has the memory for.
    const Status s = make_tensor_checked({1 << 28, 1 << 30}, &t);
    INFO(s.message());
    CHECK(s.kind() == ErrorKind::failed);
    CHECK(s.message().find("needs 1152921504606846976 bytes (1.0 EiB)") != std::string::npos);
#endif
}

TEST_CASE("parse_torch_shape: N,C,H,W, strictly", "[io][tensor]") {
    TorchShape shape;
    REQUIRE(parse_torch_shape("2,65,7,9", &shape).is_ok());
    CHECK(shape == TorchShape{2, 65, 7, 9});
    const struct {
        const char *text, *message;
    } cases[] = {
        {"1,x,4,4", "'1,x,4,4' is not N,C,H,W: 'x' is not an integer"},
        {"1,+2,4,4", "is not N,C,H,W: '+2' is not an integer"},
        {"1, 2,4,4", "is not N,C,H,W: ' 2' is not an integer"},
        {"1,2,3,4,", "is not N,C,H,W: an empty size"},
        {"1,,3,4", "is not N,C,H,W: an empty size"},
        {"", "is not N,C,H,W: an empty size"},
        {"1,2,3", "'1,2,3' must have four sizes, N,C,H,W"},
        {"1,2,3,4,5", "must have four sizes"},
        {"1,0,4,4", "'1,0,4,4': every size must be at least 1"},
        {"1,-3,4,4", "every size must be at least 1"},
        {"1,2,3,2147483648", "'2147483648' is out of range (at most 2147483647)"},
        {"1,2,3,99999999999999999999999", "is out of range"},
        {"1,65536,65536,2", "'1,65536,65536,2': shape [1, 65536, 65536, 2] is too large"},
    };
    for (const auto &c : cases) {
        shape.clear();
        INFO(c.text);
        check_refused(parse_torch_shape(c.text, &shape), c.message);
        CHECK(shape.empty());
    }
}

TEST_CASE("parse_safetensors and parse_npy read bytes in memory as the loaders read files", "[io]") {
    Weights w;
    REQUIRE(parse_safetensors(safetensors_bytes("{" + W + "}", floats(6)), "mem", &w).is_ok());
    CHECK(w.at("w")(2, 1) == 6.0f);
    check_refused(parse_safetensors(safetensors_bytes("{" + W + "}", floats(5)), "mem", &w),
                  "mem: truncated: tensor 'w' ends at byte 24 of the data, which has 20");
    Tensor t;
    REQUIRE(parse_npy(npy_bytes(npy_header("(2, 3)"), floats(6)), "mem.npy", &t).is_ok());
    CHECK(t(2, 1) == 6.0f);
    check_refused(parse_npy("\x93NUMPY", "mem.npy", &t), "mem.npy: not a .npy file");
}
