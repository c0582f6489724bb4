#include "format.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

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

std::string format_fixed(double v, int decimals) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string format_ms(double ms) { return format_fixed(ms, 4); }

std::string format_sci(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1e", v);
    return buf;
}

std::string format_count(long long n) {
    std::string digits = std::to_string(n < 0 ? -n : n), out;
    for (size_t i = 0; i < digits.size(); i++) {
        if (i && (digits.size() - i) % 3 == 0) out += ",";
        out += digits[i];
    }
    return (n < 0 ? "-" : "") + out;
}

std::string format_signed_percent(double fraction) {
    return (fraction >= 0 ? "+" : "") + format_fixed(100 * fraction, 1) + "%";
}

std::string ratio_string(double a, double b) { return format_fixed(a / b, 2) + "x"; }

std::string shape_text(const TorchShape &s) {
    std::string out;
    for (size_t i = 0; i < s.size(); i++) {
        if (i) out += 'x';
        out += std::to_string(s[i]);
    }
    return out;
}

}  // namespace prcm::cli
