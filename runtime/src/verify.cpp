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
    if (t.number_of_elements() == 0) return;  // e.g. SE's weights at hidden width 0: nothing to fill
    std::mt19937_64 rng(fnv1a(name) ^ (seed * 0x9E3779B97F4A7C15ull));
    if (init == Init::normal || init == Init::small) {
        std::normal_distribution<float> dist(0.0f, init == Init::normal ? 1.0f : 0.1f);
        t.for_each_value([&](float &v) { v = dist(rng); });
    } else if (init == Init::positive) {
        std::uniform_real_distribution<float> dist(0.5f, 1.5f);
        t.for_each_value([&](float &v) { v = dist(rng); });
    } else {
        // fan_in: every torch dimension but the first (the innermost Halide ones).
        float fan_in = 1;
        for (int d = 0; d + 1 < t.dimensions(); d++) fan_in *= t.dim(d).extent();
        const float bound = 1.0f / std::sqrt(std::max(1.0f, fan_in));
        std::uniform_real_distribution<float> dist(-bound, bound);
        t.for_each_value([&](float &v) { v = dist(rng); });
    }
    t.set_host_dirty();
}

std::string Problem::replay() const {
    std::ostringstream out;
    out << "prcm verify --module " << module->spec->name << " --device " << device_name(device) << " --shape "
        << shape[0] << "," << shape[1] << "," << shape[2] << "," << shape[3] << hyper_flags(*module->spec, hp)
        << " --seed " << seed;
    if (device == Device::cpu && cpu_target_forced()) out << " --cpu-target " << cpu_target_selected();
    if (schedule != kHandSchedule) out << " --schedule " << schedule;
    return out.str();
}

Problem make_problem(const Module &module, Device device, const TorchShape &x) {
    Problem p;
    p.module = &module;
    p.device = device;
    p.shape = x;
    p.hp = module.spec->defaults;
    return p;
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

namespace {
std::string coordinates(size_t index, const TorchShape &shape) {
    std::vector<size_t> coord(shape.size());
    for (size_t d = shape.size(); d-- > 0;) {
        coord[d] = index % shape[d];
        index /= shape[d];
    }
    std::ostringstream out;
    const char *axes = shape.size() == 4 ? "nchw" : "";
    out << "(";
    for (size_t d = 0; d < coord.size(); d++) {
        out << (d ? ", " : "");
        if (*axes) out << axes[d] << "=";
        out << coord[d];
    }
    out << ")";
    return out.str();
}
}  // namespace

bool mostly_zero(const RefTensor &want, Tolerance tol) {
    size_t near_zero = 0;
    for (double e : want.data) near_zero += std::abs(e) <= tol.atol;
    return want.data.size() >= 16 && near_zero * 10 > want.data.size() * 9;
}

Comparison compare(const Tensor &got, const RefTensor &want, Tolerance tol) {
    Comparison r;
    if (torch_shape(got) != want.shape) {
        r.verdict = Verdict::failed;
        r.first_mismatches.push_back("shape " + shape_string(torch_shape(got)) + ", want " + shape_string(want.shape));
        return r;
    }
    // Walk `got` in torch (row-major) order, as the reference is stored.
    std::vector<float> flat;
    flat.reserve(want.data.size());
    const int rank = got.dimensions();
    std::vector<int> pos(rank, 0);
    for (size_t i = 0; i < want.data.size(); i++) {
        flat.push_back(got(pos.data()));
        for (int d = 0; d < rank; d++) {  // Halide dim 0 is torch's last axis: it moves fastest
            if (++pos[d] < got.dim(d).extent()) break;
            pos[d] = 0;
        }
    }
    for (size_t i = 0; i < flat.size(); i++) {
        const double g = flat[i], e = want.data[i];
        // As PyTorch's IEEE semantics have it: NaN matches NaN and an infinity the
        // same infinity; their difference (NaN) would otherwise fail them.
        if ((std::isnan(g) && std::isnan(e)) || (std::isinf(e) && g == e)) continue;
        const double diff = std::abs(g - e);
        r.max_abs = std::max(r.max_abs, std::isnan(diff) ? INFINITY : diff);
        if (std::abs(e) > tol.atol) r.max_rel = std::max(r.max_rel, diff / std::abs(e));
        // Written so that a NaN difference fails, and no tolerance is infinite.
        if (!(std::isfinite(e) && diff <= tol.atol + tol.rtol * std::abs(e))) {
            if (r.first_mismatches.size() < 5) {
                std::ostringstream m;
                m << coordinates(i, want.shape) << ": got " << g << ", want " << e;
                r.first_mismatches.push_back(m.str());
            }
            r.mismatches++;
        }
    }
    if (r.mismatches) {
        r.verdict = Verdict::failed;
    } else if (mostly_zero(want, tol)) {
        r.verdict = Verdict::mistrusted;
    }
    return r;
}

std::string failure_details(const VerifyResult &r, const std::string &indent) {
    std::string lines;
    if (!r.error.empty()) lines += indent + r.error + "\n";
    for (const std::string &m : r.comparison.first_mismatches) lines += indent + m + "\n";
    if (r.comparison.mismatches > r.comparison.first_mismatches.size()) {
        lines += indent + "... " + std::to_string(r.comparison.mismatches) + " mismatches in all\n";
    }
    return lines;
}

ProblemData make_problem_data(const Problem &p) {
    ProblemData d;
    d.input = make_tensor(module_input_shape(*p.module->spec, p.shape, p.hp));
    fill_seeded(d.input, "input", p.seed, Init::normal);
    for (const WeightSpec &w : p.module->spec->weights(p.shape[1], p.hp)) {
        Tensor t = make_tensor(w.shape);
        fill_seeded(t, w.name, p.seed, w.init);
        d.weights.emplace(w.name, std::move(t));
    }
    return d;
}

Tensor make_output(const Problem &p, const ProblemData &d) {
    const ModuleSpec &spec = *p.module->spec;
    const TorchShape input = torch_shape(d.input);
    return make_tensor(module_output_shape(spec, input, module_channels(spec, input, d.weights), p.hp));
}

VerifyResult verify(const Problem &p) { return verify_each(p, {p.module}).front(); }

std::vector<VerifyResult> verify_each(const Problem &p, const std::vector<const Module *> &modules) {
    std::vector<VerifyResult> results(modules.size());
    if (Status s = device_available(p.device); !s) {
        for (VerifyResult &r : results) {
            r.comparison.verdict = Verdict::skipped;
            r.error = s.message();
        }
        return results;
    }
    // A library not in this build (a twin not built, or one its autoscheduler could
    // not compile) is skipped with the reason, as an absent device is.
    std::vector<size_t> runnable;
    for (size_t i = 0; i < modules.size(); i++) {
        const Library *library = nullptr;
        if (Status s = find_library(*modules[i], p.device, p.schedule, &library); !s) {
            results[i].comparison.verdict = s.kind() == ErrorKind::unavailable ? Verdict::skipped : Verdict::failed;
            results[i].error = s.message();
        } else {
            runnable.push_back(i);
        }
    }
    if (runnable.empty()) return results;
    const ModuleSpec &spec = *p.module->spec;
    // A draw whose reference is almost all zeros proves nothing (a single hidden
    // ReLU unit can silence a small block): the next seeds are drawn instead, a few
    // times, deterministically, so the problem's replay line still reproduces it.
    Problem draw = p;
    ProblemData d = make_problem_data(draw);
    RefTensor want = spec.reference(d.input, d.weights, p.hp);
    for (int redraw = 0; redraw < kRedraws && mostly_zero(want, kTolerance); redraw++) {
        draw.seed += kRedrawSeedStep;
        d = make_problem_data(draw);
        want = spec.reference(d.input, d.weights, p.hp);
    }
    for (size_t i : runnable) {
        Tensor output = make_output(draw, d);
        if (Status s = run_module(*modules[i], p.device, d.input, d.weights, output, &p.hp, p.schedule); !s) {
            results[i].comparison.verdict = Verdict::failed;
            results[i].error = s.message();
            continue;
        }
        results[i].comparison = compare(output, want);
    }
    return results;
}

}  // namespace prcm

namespace prcm {

namespace {
// The most multiply-adds one grid case of an expensive block may take: its double
// reference then runs in tens of milliseconds, so the whole grid stays in seconds.
constexpr double kGridMultiplyAdds = 5e6;

// Halves C, kept odd (so channel tails stay awkward), until the case fits; the
// plane, the batch and the hyper-parameters keep their edges.
void fit_grid_budget(const ModuleSpec &spec, Problem *p) {
    if (!spec.multiply_adds) return;
    while (p->shape[1] > 1 && spec.multiply_adds(p->shape, p->hp) > kGridMultiplyAdds) {
        p->shape[1] = (p->shape[1] / 2) | 1;
    }
}
}  // namespace

std::vector<Problem> awkward_problems(const Module &module, Device device) {
    const int batches[] = {1, 2, 3};
    const int channels[] = {1, 3, 24, 64, 65, 192};
    const int sizes[] = {1, 2, 7, 8, 64, 65};
    // And rows of a quarter and three quarters of an AVX-512 vector (a half: 8), which
    // the CPU schedules sum and scale a row a narrower vector at a time.
    const int widths[] = {1, 2, 4, 7, 8, 12, 64, 65};
    std::vector<Problem> problems;
    int i = 0;
    for (int h : sizes)
        for (int w : widths)
            for (int c : channels) {
                Problem p = make_problem(module, device, {batches[i % 3], c, h, w});
                for (const HyperParamInfo &hyper : hyper_param_table()) {
                    if (!(module.spec->uses & hyper.use)) continue;
                    const size_t k = static_cast<size_t>(i / hyper.awkward_stride) % hyper.awkward.size();
                    p.hp.*hyper.field = hyper.awkward[k];
                }
                p.seed = 1 + i % 5;
                fit_grid_budget(*module.spec, &p);
                problems.push_back(p);
                i++;
            }
    return problems;
}

}  // namespace prcm
