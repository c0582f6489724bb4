// Verification against the naive reference, shared by the CLI, the benchmarks
// and the tests. A problem prints as the command that replays it.
#pragma once

#include "prcm/registry.h"

#include <cstdint>
#include <string>
#include <vector>

namespace prcm {

// The one tolerance of the project: |got - want| <= atol + rtol * |want|. float32
// sums of a few thousand terms stay well inside it; a wrong index does not.
struct Tolerance {
    double atol = 1e-5;
    double rtol = 1e-4;
};
constexpr Tolerance kTolerance{};

// Fills a tensor from a generator seeded by (seed, name): a failure replays exactly.
void fill_seeded(Tensor &t, const std::string &name, uint64_t seed, Init init);

// A problem: one module, one device, the experiment's tensor x [N, C, H, W] (the
// module's own input derives from it: a component kernel takes ctx [N, C], say),
// the hyper-parameters and the seed.
struct Problem {
    const Module *module = nullptr;
    Device device = Device::cpu;
    TorchShape shape{1, 64, 64, 64};  // N, C, H, W
    HyperParams hp;
    uint64_t seed = 1;
    std::string schedule = kHandSchedule;  // or an autoscheduled twin's (registry.h)
    std::string replay() const;            // the `prcm verify ...` command line
};

// A problem with the module's default hyper-parameters.
Problem make_problem(const Module &module, Device device, const TorchShape &x);

enum class Verdict { passed, failed, mistrusted, skipped };
const char *verdict_name(Verdict v);

struct Comparison {
    Verdict verdict = Verdict::passed;
    double max_abs = 0, max_rel = 0;
    size_t mismatches = 0;
    std::vector<std::string> first_mismatches;  // "(n=0, c=2, h=3, w=4): got G, want W"
};

// Element by element under `tol`; NaN matches only NaN, an infinity only the same
// infinity (PyTorch's IEEE semantics). A wrong shape fails before any element.
Comparison compare(const Tensor &got, const RefTensor &want, Tolerance tol = kTolerance);

// Nearly all zeros (at 16 elements or more) agree with anything that is also zero:
// such a result proves nothing, and compare() mistrusts it.
bool mostly_zero(const RefTensor &want, Tolerance tol = kTolerance);

// How often verify() draws a problem's data again, from seed + k * kRedrawSeedStep,
// while its reference is mostly zero.
constexpr int kRedraws = 4;
constexpr uint64_t kRedrawSeedStep = 1000003;

// The seeded input and weights of a problem.
struct ProblemData {
    Tensor input;
    Weights weights;
};
ProblemData make_problem_data(const Problem &p);
// A zeroed output of the shape the problem's module maps its input to.
Tensor make_output(const Problem &p, const ProblemData &d);

struct VerifyResult {
    Comparison comparison;
    std::string error;  // set when the library could not run (verdict failed or skipped)
};

// Why a check did not pass, one line each, every line starting with `indent`:
// the library's error, the first mismatches with their (n, c, h, w), and how
// many mismatches there were in all. Empty for a pass.
std::string failure_details(const VerifyResult &r, const std::string &indent);

// Runs the problem on its device and compares with the reference. An absent
// device gives Verdict::skipped with the reason in `error`. A draw whose reference
// is mostly zero is replaced by the next (see kRedraws).
VerifyResult verify(const Problem &p);

// verify() for several libraries of the same problem: the reference is computed once
// and each module's library of p.device and p.schedule (modules[i], in place of
// p.module, whose spec they share) is compared with it; results in that order.
std::vector<VerifyResult> verify_each(const Problem &p, const std::vector<const Module *> &modules);

}  // namespace prcm

namespace prcm {

// The awkward shapes every module is verified over, on every device: C = 1 and
// primes, H and W of 1, 2, 7, 8, 64 and 65 (around and below the vector width),
// batches of 1 to 3; and each hyper-parameter the module reads rotates through
// its edges: 1 to 32 bases, reductions up to past C (SE's hidden width 0),
// expansions 1 to 4, pool sizes that do not divide H or exceed it, kernels 3, 5, 7.
// Every (H, W) pair meets every channel count; for a block that states its cost
// (ModuleSpec::multiply_adds), C shrinks where a case would exceed the grid's budget.
std::vector<Problem> awkward_problems(const Module &module, Device device);

}  // namespace prcm
