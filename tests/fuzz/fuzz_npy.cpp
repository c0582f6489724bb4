// libFuzzer target: the .npy loader (prcm::parse_npy, what load_npy runs on a
// file's bytes) on arbitrary bytes.
#include "fuzz_support.h"

#include "prcm/io.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string bytes(reinterpret_cast<const char *>(data), size);
    prcm::Tensor tensor;
    const prcm::Status s = prcm::parse_npy(bytes, "fuzz.npy", &tensor);
    if (!s) {
        prcm::fuzz::check_refusal(s);
        return 0;
    }
    if (tensor.number_of_elements() == 0) prcm::fuzz::broken("a zero-sized tensor was loaded", "");
    if (tensor.size_in_bytes() > size) prcm::fuzz::broken("a tensor larger than the file", std::to_string(size));
    return 0;
}
