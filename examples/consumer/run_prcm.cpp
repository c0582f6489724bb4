// (a) PRCM through the C++ API, on weights saved from PyTorch:
//   run_prcm data/prcm_c16_b8.safetensors data/input_1x16x8x8.npy
// prints the output's shape and checksum and its largest difference from the
// runtime's naive reference; exits 0 when the result is within tolerance.
#include "prcm/io.h"
#include "prcm/run.h"
#include "prcm/verify.h"

#include <cstdio>

int main(int argc, char **argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s STATE_DICT.safetensors INPUT.npy\n", argv[0]);
        return 2;
    }
    prcm::Weights weights;
    prcm::Tensor input;
    for (const prcm::Status &s : {prcm::load_safetensors(argv[1], &weights), prcm::load_npy(argv[2], &input)}) {
        if (!s) {
            std::fprintf(stderr, "run_prcm: %s\n", s.message().c_str());
            return 2;
        }
    }
    const prcm::Module *prcm_module = prcm::find_module("prcm");
    if (!prcm_module) return 2;
    // PRCM keeps the input's shape: the output is a tensor of the same torch shape.
    prcm::Tensor output = prcm::make_tensor(prcm::torch_shape(input));
    if (prcm::Status s = prcm::run_module(*prcm_module, prcm::Device::cpu, input, weights, output); !s) {
        std::fprintf(stderr, "run_prcm: %s\n", s.message().c_str());
        return 4;
    }
    // The hyper-parameters the weights imply (the number of bases), as run_module found them.
    prcm::HyperParams hp = prcm_module->spec->defaults;
    const int channels = prcm::module_channels(*prcm_module->spec, prcm::torch_shape(input), weights);
    if (prcm::Status s = prcm::check_weights(*prcm_module->spec, channels, weights, &hp); !s) return 2;
    const prcm::RefTensor want = prcm_module->spec->reference(input, weights, hp);
    const prcm::Comparison c = prcm::compare(output, want);
    double checksum = 0;
    output.for_each_value([&](float v) { checksum += v; });
    std::printf("PRCM %s on cpu: checksum %.6f, max abs err vs the naive reference %.2e: %s\n",
                prcm::shape_string(prcm::torch_shape(output)).c_str(), checksum, c.max_abs,
                prcm::verdict_name(c.verdict));
    return c.verdict == prcm::Verdict::passed ? 0 : 1;
}
