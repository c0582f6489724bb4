// No CPU library computes on memory it has not written. A schedule that computes whole
// vectors or tiles past a tensor's edge (RoundUp tiles, tables of a vector's columns,
// a depthwise tile wider than the plane) must also have produced what those lanes read:
// Halide bounds a producer computed at an outer loop by what the output needs, not by
// the rounded-up tiles of the Funcs between them. Where it has not, the lanes take
// whatever the stack or the heap held; the result stays right (those lanes are thrown
// away), but a float of garbage is often a denormal (the upper half of a pointer, a
// small integer), and every operation on one costs a microcode assist.
// Found 2026-12-04, Intel Xeon VM: PRCM_AdaptivePool at 1x128x8x8, ps 2, took 0.023 ms
// or 2.4 ms a call depending on what the stack held (`prcm bench` p90 2.6 ms, median 0.025).
//
// Here the scratch is filled with a denormal before every call (the stack below the
// caller's frame, every halide_malloc, the output) and the MXCSR's denormal-operand flag
// must stay clear: the inputs and weights hold no denormal, so an operation that sees
// one computed on a poisoned byte (or on a vector lane LLVM left undefined). Every
// output element must have been written, too. One thread, so that every task runs where
// the flag is read. Hidden: ctest runs it once per CPU target ("scratch poison TARGET");
// `prcm_tests --cpu-target T "[scratch_poison]" -c MODULE` runs one module.
//
// To find the instruction: PRCM_SCRATCH_POISON_TRAP=1 unmasks the denormal exception,
// so `gdb --args build/bin/prcm_tests "[scratch_poison]" -c MODULE` stops on it (SIGFPE).
#include "test_support.h"
#include "thread_pool.h"

#include <HalideRuntime.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define PRCM_HAS_MXCSR 1
#endif

using namespace prcm;

namespace {

constexpr uint32_t kPoison = 0x00000001;  // the smallest positive denormal, 1.4e-45
constexpr size_t kPoisonedStackBytes = 1 << 20;

void *poisoned_malloc(void *user_context, size_t bytes) {
    void *p = halide_default_malloc(user_context, bytes);
    if (p) {
        auto *words = static_cast<uint32_t *>(p);
        for (size_t i = 0; i < bytes / sizeof(uint32_t); i++) words[i] = kPoison;
    }
    return p;
}

// The frames the call pushes next lie where this one's array was.
__attribute__((noinline)) void poison_stack() {
    volatile uint32_t words[kPoisonedStackBytes / sizeof(uint32_t)];
    for (size_t i = 0; i < kPoisonedStackBytes / sizeof(uint32_t); i++) words[i] = kPoison;
    (void)words[0];
}

// One thread and the poisoning malloc while it lives; the defaults after, however the
// section ends.
struct PoisonedScratch {
    halide_malloc_t previous;
    PoisonedScratch() : previous(halide_set_custom_malloc(poisoned_malloc)) { resize_thread_pool(1); }
    ~PoisonedScratch() {
        halide_set_custom_malloc(previous);
        resize_thread_pool(0);
    }
    PoisonedScratch(const PoisonedScratch &) = delete;
    PoisonedScratch &operator=(const PoisonedScratch &) = delete;
};

bool holds_denormal(const Tensor &t) {
    const float *v = t.data();
    for (size_t i = 0; i < t.number_of_elements(); i++) {
        if (std::fpclassify(v[i]) == FP_SUBNORMAL) return true;
    }
    return false;
}

#if PRCM_HAS_MXCSR
constexpr unsigned kDenormalFlag = 0x2;    // MXCSR.DE: an operand was denormal
constexpr unsigned kStatusFlags = 0x3f;    // IE DE ZE OE UE PE
constexpr unsigned kDenormalMask = 0x100;  // DM: clear, a denormal operand traps
constexpr unsigned kFlushModes = 0x8040;   // FTZ and DAZ: set, they would hide the flag

// Why a call computed on poisoned memory, or empty.
std::string poisoned_read(const Problem &p) {
    ProblemData d = make_problem_data(p);
    REQUIRE_FALSE(holds_denormal(d.input));
    for (const auto &[name, w] : d.weights) REQUIRE_FALSE(holds_denormal(w));
    Tensor output = make_output(p, d);
    for (size_t i = 0; i < output.number_of_elements(); i++) std::memcpy(&output.data()[i], &kPoison, 4);
    const unsigned trap = std::getenv("PRCM_SCRATCH_POISON_TRAP") ? kDenormalMask : 0;
    const unsigned csr = _mm_getcsr();
    poison_stack();
    _mm_setcsr(csr & ~kStatusFlags & ~trap);
    const Status s = run_module(*p.module, p.device, d.input, d.weights, output, &p.hp);
    const unsigned flags = _mm_getcsr();
    _mm_setcsr(csr);
    if (!s) return "the call failed: " + s.message();
    if (flags & kDenormalFlag) return "an operation saw a denormal: it computed on memory the call had not written";
    for (size_t i = 0; i < output.number_of_elements(); i++) {
        if (std::memcmp(&output.data()[i], &kPoison, 4) == 0) {
            return "output element " + std::to_string(i) + " was never written";
        }
    }
    return "";
}

// Each problem on poisoned scratch: a failure names the problem and why.
void check_poisoned(const std::vector<Problem> &problems) {
    REQUIRE((_mm_getcsr() & kFlushModes) == 0);
    const PoisonedScratch poisoned_scratch;
    for (const Problem &p : problems) {
        const std::string why = poisoned_read(p);
        INFO(p.replay() << "\n  " << why);
        CHECK(why.empty());
    }
}
#endif

}  // namespace

TEST_CASE("no CPU library computes on scratch it has not written, over the awkward-shape grid", "[.scratch_poison]") {
#if PRCM_HAS_MXCSR
    INFO("cpu target " << cpu_target_selected());
    for (const Module &m : modules()) {
        DYNAMIC_SECTION(m.spec->name) { check_poisoned(awkward_problems(m, Device::cpu)); }
    }
#else
    WARN("no MXCSR on this architecture: the check needs x86's denormal-operand flag");
#endif
}

// The bottleneck's padded rows are staged by unrolled vectors at some widths, each in the
// branches of the output that may take it (schedules/inverted_bottleneck_cpu.cpp,
// unrolled_widths): a network's planes (7 to 112, and 112 and 28 in tall planes' branch),
// which the awkward grid's widths do not reach.
TEST_CASE("no CPU library computes on scratch it has not written: the bottleneck at a network's planes",
          "[.scratch_poison]") {
#if PRCM_HAS_MXCSR
    INFO("cpu target " << cpu_target_selected());
    for (const char *name : {"inverted_bottleneck", "inverted_bottleneck_res"}) {
        DYNAMIC_SECTION(name) {
            std::vector<Problem> problems;
            for (const TorchShape &shape : std::vector<TorchShape>{{1, 24, 7, 7},
                                                                   {1, 24, 14, 14},
                                                                   {1, 24, 28, 28},
                                                                   {1, 24, 56, 56},
                                                                   {1, 8, 32, 112},
                                                                   {1, 8, 32, 28}}) {
                problems.push_back(make_problem(test::module_named(name), Device::cpu, shape));
            }
            check_poisoned(problems);
        }
    }
#else
    WARN("no MXCSR on this architecture: the check needs x86's denormal-operand flag");
#endif
}
