// A problem from the command line's options: names, shape, hyper-parameters and seed
// parsed strictly, and sizes checked against Halide's indexing and this machine's memory.
#include "cli.h"

#include "prcm/files.h"
#include "prcm/run.h"

#include <unistd.h>
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <sstream>

namespace prcm::cli {

namespace {

// a * b, or UINT64_MAX where it would wrap.
uint64_t saturating_mul(uint64_t a, uint64_t b) {
    if (a != 0 && b > UINT64_MAX / a) return UINT64_MAX;
    return a * b;
}

uint64_t elements(const TorchShape &shape) {
    uint64_t n = 1;
    for (int e : shape) n = saturating_mul(n, static_cast<uint64_t>(std::max(e, 0)));
    return n;
}

std::string gib(uint64_t bytes) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(bytes) / (1ull << 30));
    return buf;
}

constexpr uint64_t kMaxIndex = INT32_MAX;  // Halide's int32 strides and extents (no large_buffers)

// A tensor that Halide can index: int32 strides (check_tensor_shape) and at most
// 2^31 - 1 elements in all.
Status check_indexable(const std::string &what, const TorchShape &shape) {
    if (Status s = check_tensor_shape(shape); !s) return s.prefixed(what + ": ");
    if (elements(shape) > kMaxIndex) {
        return Status::error(what + " " + shape_string(shape) + " would have " + std::to_string(elements(shape)) +
                             " elements, more than the 2147483647 a Halide buffer can index");
    }
    return Status::ok();
}

bool parse_seed(const std::string &text, uint64_t *seed) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *seed);
    return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Status check_problem_size(const Problem &p) {
    const ModuleSpec &spec = *p.module->spec;
    const HyperParams &hp = p.hp;
    if (Status s = check_indexable("--shape", p.shape); !s) return s;
    const int C = p.shape[1];
    // Weight shapes are products of C, B and r, made in int by the module's spec:
    // their product must fit before the spec is asked.
    uint64_t factor = static_cast<uint64_t>(C);
    std::string named = "C (" + std::to_string(C) + ")";
    if (spec.uses & uses_num_basis) {
        factor = saturating_mul(factor, hp.num_basis);
        named += " x --num-basis " + std::to_string(hp.num_basis);
    }
    if (spec.uses & uses_expansion) {
        factor = saturating_mul(factor, hp.expansion);
        named += " x --expansion " + std::to_string(hp.expansion);
    }
    if (factor > kMaxIndex) {
        return Status::error(named +
                             " is more than 2147483647: the weights would be larger than a Halide buffer can index");
    }
    if (spec.uses & uses_kernel_size) {
        // The padded plane, k//2 on each side, is indexed in int32 too.
        const uint64_t padded = saturating_mul(saturating_mul(static_cast<uint64_t>(p.shape[2]) + hp.kernel_size,
                                                              static_cast<uint64_t>(p.shape[3]) + hp.kernel_size),
                                               C);
        if (padded > kMaxIndex) {
            return Status::error("--kernel-size " + std::to_string(hp.kernel_size) + " at --shape " +
                                 shape_string(p.shape) + ": the padded input would have more than 2147483647 elements");
        }
    }
    const TorchShape input = module_input_shape(spec, p.shape, hp);
    if (Status s = check_indexable("the input", input); !s) return s;
    const TorchShape output = module_output_shape(spec, input, C, hp);
    if (Status s = check_indexable("the output", output); !s) return s;
    uint64_t weights = 0;
    for (const WeightSpec &w : spec.weights(C, hp)) {
        if (Status s = check_indexable("the weight '" + w.name + "'", w.shape); !s) return s;
        weights += elements(w.shape);
    }
    // At the peak: the input, the output and x's copy floor (float), the weights and
    // the library's form of them, and the reference's result in double.
    const uint64_t bytes =
        4 * (2 * elements(p.shape) + elements(input) + elements(output) + 2 * weights) + 8 * elements(output);
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    const uint64_t memory = pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
    if (memory > 0 && bytes > memory) {
        return Status::error("the problem needs about " + gib(bytes) +
                             " (input, output, weights and the reference's float64 result), more than this machine's " +
                             gib(memory) + " of memory");
    }
    return Status::ok();
}

Status make_problem(const ProblemOptions &o, Problem *p) {
    p->module = find_module(o.module);
    if (!p->module) {
        return Status::error("unknown module '" + printable(o.module) + "' (known: " + join(accepted_module_names()) +
                             ")");
    }
    if (!parse_device(o.device, &p->device)) {
        return Status::error("unknown device '" + printable(o.device) + "' (known: cpu, opencl, cuda)");
    }
    TorchShape shape;
    if (Status s = parse_torch_shape(o.shape, &shape); !s) return Status::error("--shape " + printable(s.message()));
    p->shape = shape;
    p->hp = p->module->spec->defaults;
    if (Status s = check_schedule(o.schedule, p->device); !s) return s;
    p->schedule = o.schedule;
    if (!parse_seed(o.seed, &p->seed)) {
        return Status::error("--seed '" + printable(o.seed) + "' is not an integer from 0 to 18446744073709551615");
    }
    const ModuleSpec &spec = *p->module->spec;
    for (const HyperParamInfo &h : hyper_param_table()) {
        const int given = o.hyper.*h.field;
        if (given == kNotGiven) continue;
        if (!(spec.uses & h.use)) {
            const std::string takes = hyper_flags(spec, spec.defaults);
            return Status::error(std::string(spec.name) + " takes no " + h.flag +
                                 " (its defaults:" + (takes.empty() ? std::string(" none") : takes) + ")");
        }
        if (given < 1) return Status::error(std::string(h.flag) + " must be at least 1");
        p->hp.*h.field = given;
    }
    for (const HyperParamInfo &h : hyper_param_table()) {
        if (h.odd_why && (spec.uses & h.use) && p->hp.*h.field % 2 == 0) {
            return Status::error(std::string(h.flag) + " must be odd: " + h.odd_why);
        }
    }
    return check_problem_size(*p);
}

Status apply_cpu_target(const std::string &target, const std::string &devices) {
    std::vector<std::string> names;
    std::stringstream list(devices);
    for (std::string name; std::getline(list, name, ',');) names.push_back(name);
    if (std::find(names.begin(), names.end(), "cpu") == names.end()) {
        return Status::error("--cpu-target applies to --device cpu; the " + printable(devices) +
                             " libraries' host code is built for the baseline " + cpu_targets().back() + " alone");
    }
    return force_cpu_target(target).prefixed("--cpu-target: ");
}

}  // namespace prcm::cli
