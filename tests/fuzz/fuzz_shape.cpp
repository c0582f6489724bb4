// libFuzzer target: prcm::parse_torch_shape, the parser of `--shape N,C,H,W`.
#include "fuzz_support.h"

#include "prcm/tensor.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string text(reinterpret_cast<const char *>(data), size);
    prcm::TorchShape shape;
    const prcm::Status s = prcm::parse_torch_shape(text, &shape);
    if (!s) {
        // The message quotes the command line's own text, control characters and all.
        prcm::fuzz::check_refusal(s, /*printable=*/false);
        return 0;
    }
    if (shape.size() != 4) prcm::fuzz::broken("a shape of other than four sizes", text);
    std::string canonical;
    for (int v : shape) {
        if (v < 1) prcm::fuzz::broken("a size under 1", text);
        canonical += (canonical.empty() ? "" : ",") + std::to_string(v);
    }
    if (!prcm::check_tensor_shape(shape)) prcm::fuzz::broken("an accepted shape fails check_tensor_shape", text);
    // Only digits and commas can have given it, and its canonical text reads back the same.
    if (text.find_first_not_of("0123456789,") != std::string::npos) prcm::fuzz::broken("odd characters accepted", text);
    prcm::TorchShape again;
    if (!prcm::parse_torch_shape(canonical, &again) || again != shape) prcm::fuzz::broken("no round trip", text);
    return 0;
}
