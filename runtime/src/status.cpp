#include "prcm/status.h"

#include <cstdio>

namespace prcm {

std::string printable(std::string_view text, bool keep_newlines) {
    std::string out;
    out.reserve(text.size());
    auto hex = [&](const char *prefix, unsigned v, int digits) {
        char buf[12];
        std::snprintf(buf, sizeof buf, "%s%0*x", prefix, digits, v);
        out += buf;
    };
    const auto *bytes = reinterpret_cast<const unsigned char *>(text.data());
    for (size_t i = 0; i < text.size();) {
        const unsigned char c = bytes[i];
        if (c < 0x80) {
            if (c == '\n' && keep_newlines)
                out += '\n';
            else if (c == '\n')
                out += "\\n";
            else if (c == '\t')
                out += "\\t";
            else if (c == '\r')
                out += "\\r";
            else if (c < 0x20 || c == 0x7f)
                hex("\\x", c, 2);
            else
                out += static_cast<char>(c);
            i++;
            continue;
        }
        // UTF-8: a valid sequence is kept, except the C1 controls U+0080..U+009F
        // (U+009B is a CSI to some terminals); a stray byte is escaped.
        const int length = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
        bool valid = length > 0 && i + length <= text.size();
        unsigned code = length == 2 ? c & 0x1F : length == 3 ? c & 0x0F : c & 0x07;
        for (int k = 1; valid && k < length; k++) {
            valid = (bytes[i + k] & 0xC0) == 0x80;
            code = (code << 6) | (bytes[i + k] & 0x3F);
        }
        valid = valid && !(length == 3 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) &&
                !(length == 4 && (code < 0x10000 || code > 0x10FFFF));
        if (!valid) {
            hex("\\x", c, 2);
            i++;
        } else {
            if (code < 0xA0)
                hex("\\u", code, 4);
            else
                out.append(text.substr(i, length));
            i += length;
        }
    }
    return out;
}

std::string join(const std::vector<std::string> &items, std::string_view separator) {
    std::string text;
    for (const std::string &item : items) {
        if (!text.empty()) text += separator;
        text += item;
    }
    return text;
}

}  // namespace prcm
