// How `prcm` prints: aligned text tables, and the number formats every command and
// results writer shares (one of each: a figure reads the same everywhere).
#pragma once

#include "prcm/tensor.h"

#include <string>
#include <vector>

namespace prcm::cli {

// Aligned text tables: a header row, then rows; the first column left-aligned, the rest right.
struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    void print() const;
};

std::string format_fixed(double v, int decimals);    // format_fixed(2.345, 1): "2.3"
std::string format_ms(double ms);                    // 0.0266: milliseconds to 0.1 µs
std::string format_sci(double v);                    // 2.4e-07: errors
std::string format_count(long long n);               // 1,024
std::string format_signed_percent(double fraction);  // +2.0%
std::string ratio_string(double a, double b);        // a over b: "1.49x"
std::string shape_text(const TorchShape &s);         // 1x64x64x64

}  // namespace prcm::cli
