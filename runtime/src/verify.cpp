#include "prcm/verify.h"

#include "prcm/run.h"

#include <cmath>
#include <random>
#include <sstream>

namespace prcm {

namespace {
uint64_t fnv1a(const std::string &s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char ch : s) {
        h ^= ch;
        h *= 1099511628211ull;
    }
    return h;
}
}  // namespace

void fill_seeded(Tensor &t, const std::string &name, uint64_t seed, Init init) {
    std::mt19937_64 rng(fnv1a(name) ^ (seed * 0x9E3779B97F4A7C15ull));
    if (init == Init::normal) {
        std::normal_distribution<float> dist(0.0f, 1.0f);
        t.for_each_value([&](float &v) { v = dist(rng); });
    } else {
        const float bound = 1.0f / std::sqrt(static_cast<float>(t.dim(0).extent()));  // fan_in = last torch dim
        std::uniform_real_distribution<float> dist(-bound, bound);
        t.for_each_value([&](float &v) { v = dist(rng); });
    }
    t.set_host_dirty();
}

std::string Problem::replay() const {
    std::ostringstream out;
    out << "prcm verify --module " << module->spec->name << " --device " << device_name(device) << " --shape "
        << shape[0] << "," << shape[1] << "," << shape[2] << "," << shape[3] << " --num-basis " << hp.num_basis
        << " --seed " << seed;
    return out.str();
}

const char *verdict_name(Verdict v) {
    switch (v) {
    case Verdict::passed: return "PASSED";
    case Verdict::failed: return "FAILED";
    case Verdict::mistrusted: return "MISTRUSTED";
    case Verdict::skipped: return "SKIPPED";
    }
    return "?";
}

Comparison compare(const Tensor &got, const RefTensor &want, Tolerance tol) {
    Comparison r;
    if (torch_shape(got) != want.shape) {
        r.verdict = Verdict::failed;
        r.first_mismatches.push_back("shape " + shape_string(torch_shape(got)) + ", want " + shape_string(want.shape));
        return r;
    }
    const int N = want.shape[0], C = want.shape[1], H = want.shape[2], W = want.shape[3];
    size_t near_zero = 0, index = 0;
    for (int n = 0; n < N; n++)
        for (int c = 0; c < C; c++)
            for (int h = 0; h < H; h++)
                for (int w = 0; w < W; w++, index++) {
                    const double g = got(w, h, c, n), e = want.data[index];
                    const double diff = std::abs(g - e);
                    if (std::abs(e) <= tol.atol) near_zero++;
                    r.max_abs = std::max(r.max_abs, std::isnan(diff) ? INFINITY : diff);
                    if (std::abs(e) > tol.atol) r.max_rel = std::max(r.max_rel, diff / std::abs(e));
                    if (!(diff <= tol.atol + tol.rtol * std::abs(e))) {
                        if (r.first_mismatches.size() < 5) {
                            std::ostringstream m;
                            m << "(n=" << n << ", c=" << c << ", h=" << h << ", w=" << w << "): got " << g
                              << ", want " << e;
                            r.first_mismatches.push_back(m.str());
                        }
                        r.mismatches++;
                    }
                }
    if (r.mismatches) {
        r.verdict = Verdict::failed;
    } else if (index >= 16 && near_zero * 10 > index * 9) {
        // Nearly all zeros agree with anything that is also zero: proves nothing.
        r.verdict = Verdict::mistrusted;
    }
    return r;
}

ProblemData make_problem_data(const Problem &p) {
    ProblemData d;
    d.input = make_tensor(p.shape);
    fill_seeded(d.input, "input", p.seed, Init::normal);
    for (const WeightSpec &w : p.module->spec->weights(p.shape[1], p.hp)) {
        Tensor t = make_tensor(w.shape);
        fill_seeded(t, w.name, p.seed, w.init);
        d.weights.emplace(w.name, std::move(t));
    }
    return d;
}

VerifyResult verify(const Problem &p) {
    VerifyResult r;
    if (Status s = device_available(p.device); !s) {
        r.comparison.verdict = Verdict::skipped;
        r.error = s.message();
        return r;
    }
    ProblemData d = make_problem_data(p);
    Tensor output = make_tensor(p.shape);
    if (Status s = run_module(*p.module, p.device, d.input, d.weights, output); !s) {
        r.comparison.verdict = Verdict::failed;
        r.error = s.message();
        return r;
    }
    r.comparison = compare(output, p.module->spec->reference(d.input, d.weights));
    return r;
}

}  // namespace prcm

namespace prcm {

std::vector<Problem> awkward_problems(const Module &module, Device device) {
    const int batches[] = {1, 2, 3};
    const int channels[] = {1, 3, 24, 64, 65, 192};
    const int sizes[] = {1, 2, 7, 8, 64, 65};
    const int bases[] = {1, 4, 8, 32};
    std::vector<Problem> problems;
    int i = 0;
    for (int h : sizes)
        for (int w : sizes)
            for (int c : channels) {
                Problem p;
                p.module = &module;
                p.device = device;
                p.shape = {batches[i % 3], c, h, w};
                p.hp.num_basis = bases[i % 4];
                p.seed = 1 + i % 5;
                problems.push_back(p);
                i++;
            }
    return problems;
}

}  // namespace prcm
