// The safetensors loader's checks on a header, each against a file crafted byte
// by byte.
#include "test_support.h"

#include "prcm/io.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace prcm;

namespace {

// A safetensors file: the 8-byte little-endian header length, the JSON header,
// then `data_bytes` bytes of float data (1.0, 2.0, ...).
class SafetensorsFile {
  public:
    SafetensorsFile(const std::string &header, size_t data_bytes)
        : path_((std::filesystem::temp_directory_path() /
                 ("prcm-io-test-" + std::to_string(getpid()) + "-" + std::to_string(counter_++) + ".safetensors"))
                    .string()) {
        std::string bytes(8, '\0');
        for (int i = 0; i < 8; i++) bytes[i] = static_cast<char>((uint64_t{header.size()} >> (8 * i)) & 0xff);
        bytes += header;
        for (size_t i = 0; i < data_bytes / sizeof(float); i++) {
            const float v = 1.0f + i;
            bytes.append(reinterpret_cast<const char *>(&v), sizeof v);
        }
        std::ofstream(path_, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    ~SafetensorsFile() { std::remove(path_.c_str()); }
    Status load(Weights *w) const { return load_safetensors(path_, w); }

  private:
    static inline int counter_ = 0;
    std::string path_;
};

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

TEST_CASE("safetensors: a shape that disagrees with its data_offsets, or offsets past the data, are refused",
          "[io]") {
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
