// (b) One generated library alone, as Halide emitted it: prcm_cpu(...) on Halide
// buffers, no prcm runtime. Halide's dimensions run innermost first, the reverse
// of torch's: an NCHW input is a buffer of (W, H, C, N), PRCM's basis [B, C] one of
// (C, B), fuser.weight [C, B] one of (B, C). Checked against plain loops here.
#include "HalideBuffer.h"
#include "prcm_cpu.h"

#include <cmath>
#include <cstdio>

// Halide's default error handler prints the message and aborts the process: ours
// prints it, and the call returns its error code.
void print_halide_error(void *, const char *message) { std::fprintf(stderr, "Halide: %s\n", message); }

int main() {
    halide_set_error_handler(print_halide_error);
    const int N = 2, C = 16, H = 5, W = 7, B = 8;
    Halide::Runtime::Buffer<float> input(W, H, C, N), basis(C, B), fuser(B, C), output(W, H, C, N);
    // Deterministic values in [-1, 1).
    unsigned state = 1;
    auto next = [&] {
        state = state * 1664525u + 1013904223u;
        return static_cast<float>(state >> 8) / static_cast<float>(1u << 23) - 1.0f;
    };
    input.for_each_value([&](float &v) { v = next(); });
    basis.for_each_value([&](float &v) { v = next(); });
    fuser.for_each_value([&](float &v) { v = next() * 0.35f; });

    // Threads: the library runs on Halide's own thread pool (HL_NUM_THREADS, else one
    // per core); halide_set_num_threads() changes it. A non-zero result is an error
    // code, its message given to the handler above.
    if (int error = prcm_cpu(input, basis, fuser, output); error != 0) {
        std::fprintf(stderr, "prcm_cpu failed with %d\n", error);
        return 4;
    }

    // x * sigmoid(fuser(mean_hw(x) @ basis.T)), in double.
    double max_abs = 0, checksum = 0;
    for (int n = 0; n < N; n++) {
        double ctx[C] = {0}, coeff[B] = {0};
        for (int c = 0; c < C; c++) {
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++) ctx[c] += input(w, h, c, n);
            ctx[c] /= H * W;
        }
        for (int b = 0; b < B; b++)
            for (int c = 0; c < C; c++) coeff[b] += ctx[c] * basis(c, b);
        for (int c = 0; c < C; c++) {
            double z = 0;
            for (int b = 0; b < B; b++) z += fuser(b, c) * coeff[b];
            const double gate = 1 / (1 + std::exp(-z));
            for (int h = 0; h < H; h++) {
                for (int w = 0; w < W; w++) {
                    max_abs = std::fmax(max_abs, std::fabs(output(w, h, c, n) - input(w, h, c, n) * gate));
                    checksum += output(w, h, c, n);
                }
            }
        }
    }
    const bool ok = max_abs < 1e-5;
    std::printf("prcm_cpu [%d, %d, %d, %d]: checksum %.6f, max abs err vs plain loops %.2e: %s\n", N, C, H, W, checksum,
                max_abs, ok ? "PASSED" : "FAILED");
    return ok ? 0 : 1;
}
