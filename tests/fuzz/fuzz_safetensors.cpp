// libFuzzer target: the safetensors loader (prcm::parse_safetensors, what
// load_safetensors runs on a file's bytes) on arbitrary bytes.
#include "fuzz_support.h"

#include "prcm/io.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string bytes(reinterpret_cast<const char *>(data), size);
    prcm::Weights weights;
    const prcm::Status s = prcm::parse_safetensors(bytes, "fuzz.safetensors", &weights);
    if (!s) {
        prcm::fuzz::check_refusal(s);
        if (!weights.empty()) prcm::fuzz::broken("a refused file still gave tensors", s.message());
        return 0;
    }
    // Every tensor came out of the file's own bytes: together they fit in it.
    size_t total = 0;
    for (const auto &[name, tensor] : weights) {
        prcm::fuzz::check_printable(name);
        if (tensor.number_of_elements() == 0) prcm::fuzz::broken("a zero-sized tensor was loaded", name);
        total += tensor.size_in_bytes();
    }
    if (total > size) prcm::fuzz::broken("tensors larger than the file", std::to_string(total));
    return 0;
}
