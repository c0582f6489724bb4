#include "cli.h"

#include <HalideRuntime.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

namespace prcm::cli {

void Table::print() const {
    std::vector<size_t> width(header.size(), 0);
    for (size_t i = 0; i < header.size(); i++) width[i] = header[i].size();
    for (const auto &row : rows)
        for (size_t i = 0; i < row.size() && i < width.size(); i++) width[i] = std::max(width[i], row[i].size());
    auto line = [&](const std::vector<std::string> &cells) {
        std::string out;
        for (size_t i = 0; i < cells.size(); i++) {
            const std::string pad(width[i] - cells[i].size(), ' ');
            // The first column is a name: left-aligned; the rest are figures.
            out += (i == 0 ? cells[i] + pad : pad + cells[i]);
            if (i + 1 < cells.size()) out += "  ";
        }
        std::cout << out << "\n";
    };
    line(header);
    size_t total = 0;
    for (size_t w : width) total += w + 2;
    std::cout << std::string(total - 2, '-') << "\n";
    for (const auto &row : rows) line(row);
}

std::string cpu_model() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("model name", 0) == 0) {
            auto colon = line.find(':');
            if (colon != std::string::npos) return line.substr(colon + 2);
        }
    }
    return "unknown CPU";
}

int default_threads() {
    if (const char *env = std::getenv("HL_NUM_THREADS"); env && std::atoi(env) > 0) return std::atoi(env);
    return static_cast<int>(std::thread::hardware_concurrency());
}

std::string machine_line(Device device, int threads) {
    const int used = threads > 0 ? threads : default_threads();
    std::string s = cpu_model() + ", " + std::to_string(used) + " thread" + (used == 1 ? "" : "s") +
                    ", Halide " PRCM_HALIDE_VERSION ", device " + device_name(device);
    return s;
}

std::string format_ms(double ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", ms);
    return buf;
}

std::string shape_text(const TorchShape &s) {
    std::string out;
    for (size_t i = 0; i < s.size(); i++) {
        if (i) out += 'x';
        out += std::to_string(s[i]);
    }
    return out;
}

std::string format_count(long long n) {
    std::string digits = std::to_string(n < 0 ? -n : n), out;
    for (size_t i = 0; i < digits.size(); i++) {
        if (i && (digits.size() - i) % 3 == 0) out += ",";
        out += digits[i];
    }
    return (n < 0 ? "-" : "") + out;
}

std::string format_fixed(double v, int decimals) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string format_sci(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1e", v);
    return buf;
}

}  // namespace prcm::cli
