#include "prcm/io.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <unistd.h>

namespace prcm {

namespace {

Status read_file(const std::string &path, std::string *bytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::error(path + ": cannot open (" + std::strerror(errno) + ")");
    std::ostringstream buf;
    buf << in.rdbuf();
    *bytes = buf.str();
    return Status::ok();
}

// Writes beside the destination, then renames: readers never see a partial file.
Status write_file_atomically(const std::string &path, const std::string &bytes) {
    const std::string tmp = path + ".tmp." + std::to_string(getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return Status::error(path + ": cannot write (" + std::strerror(errno) + ")");
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) {
            std::remove(tmp.c_str());
            return Status::error(path + ": write failed (" + std::strerror(errno) + ")");
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        return Status::error(path + ": cannot rename the temporary file into place (" + std::strerror(errno) + ")");
    }
    return Status::ok();
}

size_t element_count(const TorchShape &shape) {
    size_t n = 1;
    for (int e : shape) n *= static_cast<size_t>(e);
    return n;
}

// Halide buffers made by make_tensor are dense with torch's last axis innermost,
// so their memory is the row-major torch layout.
Tensor tensor_from_bytes(const TorchShape &shape, const char *data) {
    Tensor t = make_tensor(shape);
    std::memcpy(t.data(), data, element_count(shape) * sizeof(float));
    t.set_host_dirty();
    return t;
}

std::string row_major_bytes(const Tensor &t) {
    const TorchShape shape = torch_shape(t);
    std::string bytes(element_count(shape) * sizeof(float), '\0');
    Tensor dense = make_tensor(shape);
    dense.copy_from(t);
    std::memcpy(bytes.data(), dense.data(), bytes.size());
    return bytes;
}

}  // namespace

Status load_npy(const std::string &path, Tensor *tensor) {
    std::string bytes;
    if (Status s = read_file(path, &bytes); !s) return s;
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) {
        return Status::error(path + ": not a .npy file (no \\x93NUMPY magic)");
    }
    const int major = static_cast<unsigned char>(bytes[6]);
    size_t header_len = 0, header_start = 0;
    if (major == 1) {
        header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
        header_start = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12) return Status::error(path + ": truncated .npy header");
        for (int i = 0; i < 4; i++) header_len |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
        header_start = 12;
    } else {
        return Status::error(path + ": unsupported .npy version " + std::to_string(major));
    }
    if (header_start + header_len > bytes.size()) return Status::error(path + ": truncated .npy header");
    const std::string header = bytes.substr(header_start, header_len);

    std::smatch m;
    if (!std::regex_search(header, m, std::regex("'descr'\\s*:\\s*'([^']*)'"))) {
        return Status::error(path + ": malformed .npy header (no 'descr'): " + header);
    }
    const std::string descr = m[1];
    if (descr != "<f4" && descr != "=f4" && descr != "|f4") {
        return Status::error(path + ": dtype '" + descr + "', expected float32 ('<f4'); convert with .astype(np.float32)");
    }
    if (!std::regex_search(header, m, std::regex("'fortran_order'\\s*:\\s*(True|False)"))) {
        return Status::error(path + ": malformed .npy header (no 'fortran_order')");
    }
    if (m[1] == "True") return Status::error(path + ": Fortran-ordered array; save a C-contiguous one");
    if (!std::regex_search(header, m, std::regex("'shape'\\s*:\\s*\\(([^)]*)\\)"))) {
        return Status::error(path + ": malformed .npy header (no 'shape')");
    }
    TorchShape shape;
    std::stringstream dims(m[1].str());
    std::string part;
    while (std::getline(dims, part, ',')) {
        part.erase(0, part.find_first_not_of(" \t"));
        part.erase(part.find_last_not_of(" \t") + 1);
        if (part.empty()) continue;
        try {
            shape.push_back(std::stoi(part));
        } catch (const std::exception &) {
            return Status::error(path + ": malformed shape in .npy header: (" + m[1].str() + ")");
        }
    }
    const size_t data_start = header_start + header_len;
    const size_t need = element_count(shape) * sizeof(float);
    if (bytes.size() - data_start < need) {
        return Status::error(path + ": truncated: shape " + shape_string(shape) + " needs " + std::to_string(need) +
                             " bytes of data, the file has " + std::to_string(bytes.size() - data_start));
    }
    *tensor = tensor_from_bytes(shape, bytes.data() + data_start);
    return Status::ok();
}

Status save_npy(const std::string &path, const Tensor &tensor) {
    const TorchShape shape = torch_shape(tensor);
    std::string dims;
    for (int e : shape) dims += std::to_string(e) + ", ";
    if (shape.size() > 1) dims.erase(dims.size() - 2);  // (a, b) but (a,)
    else if (!dims.empty()) dims.erase(dims.size() - 1);
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

Status load_safetensors(const std::string &path, Weights *weights) {
    std::string bytes;
    if (Status s = read_file(path, &bytes); !s) return s;
    if (bytes.size() < 8) return Status::error(path + ": truncated: shorter than the 8-byte header length");
    uint64_t header_len = 0;
    for (int i = 0; i < 8; i++) header_len |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
    if (header_len > bytes.size() - 8) {
        return Status::error(path + ": truncated or not safetensors: header of " + std::to_string(header_len) +
                             " bytes, file of " + std::to_string(bytes.size()));
    }
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(bytes.substr(8, header_len));
    } catch (const std::exception &e) {
        return Status::error(path + ": malformed safetensors header: " + e.what());
    }
    if (!header.is_object()) return Status::error(path + ": malformed safetensors header: not a JSON object");
    const size_t data_start = 8 + header_len;
    const size_t data_size = bytes.size() - data_start;
    Weights loaded;
    for (const auto &[name, entry] : header.items()) {
        if (name == "__metadata__") continue;
        if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
            !entry.contains("data_offsets")) {
            return Status::error(path + ": malformed entry for tensor '" + name + "'");
        }
        const std::string dtype = entry["dtype"].is_string() ? entry["dtype"].get<std::string>() : "?";
        if (name.ends_with("num_batches_tracked")) continue;
        if (dtype != "F32") {
            return Status::error(path + ": tensor '" + name + "' is " + dtype +
                                 ", expected F32 (save the state_dict as float32)");
        }
        TorchShape shape;
        uint64_t begin = 0, end = 0;
        try {
            for (const auto &e : entry["shape"]) {
                const long long v = e.get<long long>();
                if (v < 0 || v > INT32_MAX) throw std::out_of_range("dimension");
                shape.push_back(static_cast<int>(v));
            }
            begin = entry["data_offsets"].at(0).get<uint64_t>();
            end = entry["data_offsets"].at(1).get<uint64_t>();
        } catch (const std::exception &) {
            return Status::error(path + ": malformed shape or data_offsets for tensor '" + name + "'");
        }
        const size_t need = element_count(shape) * sizeof(float);
        if (end < begin || end - begin != need) {
            return Status::error(path + ": tensor '" + name + "' of shape " + shape_string(shape) + " needs " +
                                 std::to_string(need) + " bytes, its data_offsets give " +
                                 std::to_string(end >= begin ? end - begin : 0));
        }
        if (end > data_size) {
            return Status::error(path + ": truncated: tensor '" + name + "' ends at byte " + std::to_string(end) +
                                 " of the data, which has " + std::to_string(data_size));
        }
        loaded.emplace(name, tensor_from_bytes(shape, bytes.data() + data_start + begin));
    }
    *weights = std::move(loaded);
    return Status::ok();
}

Status save_safetensors(const std::string &path, const Weights &weights) {
    nlohmann::json header = nlohmann::json::object();
    std::string data;
    for (const auto &[name, tensor] : weights) {
        const std::string bytes = row_major_bytes(tensor);
        header[name] = {{"dtype", "F32"}, {"shape", torch_shape(tensor)}, {"data_offsets", {data.size(), data.size() + bytes.size()}}};
        data += bytes;
    }
    std::string text = header.dump();
    text += std::string((8 - text.size() % 8) % 8, ' ');  // keeps the data 8-byte aligned
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; i++) bytes[i] = static_cast<char>((static_cast<uint64_t>(text.size()) >> (8 * i)) & 0xff);
    return write_file_atomically(path, bytes + text + data);
}

}  // namespace prcm
