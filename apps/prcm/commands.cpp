#include "cli.h"

#include "prcm/run.h"

#include <iostream>
#include <sstream>

namespace prcm::cli {

std::string make_problem(const ProblemOptions &o, Problem *p) {
    p->module = find_module(o.module);
    if (!p->module) {
        std::string known;
        for (const Module &m : modules()) known += std::string(known.empty() ? "" : ", ") + m.spec->name;
        return "unknown module '" + o.module + "' (known: " + known + ")";
    }
    if (!parse_device(o.device, &p->device)) {
        return "unknown device '" + o.device + "' (known: cpu, opencl, cuda)";
    }
    TorchShape shape;
    std::stringstream in(o.shape);
    std::string part;
    while (std::getline(in, part, ',')) {
        try {
            size_t used = 0;
            const int v = std::stoi(part, &used);
            if (used != part.size()) throw std::invalid_argument(part);
            shape.push_back(v);
        } catch (const std::exception &) {
            return "--shape '" + o.shape + "' is not N,C,H,W: '" + part + "' is not an integer";
        }
    }
    if (shape.size() != 4) return "--shape '" + o.shape + "' must have four sizes, N,C,H,W";
    for (int v : shape) {
        if (v < 1) return "--shape '" + o.shape + "': every size must be at least 1";
    }
    p->shape = shape;
    p->hp = p->module->spec->defaults;
    p->seed = o.seed;
    const struct {
        const char *flag;
        int given;
        unsigned use;
        int *field;
    } flags[] = {
        {"--num-basis", o.num_basis, uses_num_basis, &p->hp.num_basis},
        {"--reduction", o.reduction, uses_reduction, &p->hp.reduction},
        {"--expansion", o.expansion, uses_expansion, &p->hp.expansion},
        {"--pool-size", o.pool_size, uses_pool_size, &p->hp.pool_size},
        {"--kernel-size", o.kernel_size, uses_kernel_size, &p->hp.kernel_size},
    };
    for (const auto &f : flags) {
        if (f.given == kNotGiven) continue;
        if (!(p->module->spec->uses & f.use)) {
            const std::string takes = hyper_flags(*p->module->spec, p->module->spec->defaults);
            return std::string(p->module->spec->name) + " takes no " + f.flag + " (its defaults:" +
                   (takes.empty() ? std::string(" none") : takes) + ")";
        }
        if (f.given < 1) return std::string(f.flag) + " must be at least 1";
        *f.field = f.given;
    }
    if (p->hp.kernel_size % 2 == 0) {
        return "--kernel-size must be odd: with padding k//2 an even kernel changes the output size";
    }
    return "";
}

int run_list() {
    std::cout << "Modules (weights as PyTorch state_dict keys, shapes at C=64 and the defaults shown):\n";
    for (const Module &m : modules()) {
        const ModuleSpec &spec = *m.spec;
        std::cout << "  " << spec.name << "  (" << spec.title << ")  " << spec.formula << "\n";
        std::cout << "      defaults:" << (spec.uses ? hyper_flags(spec, spec.defaults) : " none") << "\n";
        for (const WeightSpec &w : spec.weights(64, spec.defaults)) {
            std::cout << "      " << w.name << " " << shape_string(w.shape) << (w.parameter ? "" : "  (buffer)") << "\n";
        }
        std::cout << "      parameters: " << format_count(parameter_count(spec, 64, spec.defaults)) << "\n";
    }
    if (!aliases().empty()) std::cout << "Aliases:\n";
    for (const Alias &a : aliases()) {
        std::cout << "  " << a.name << "  (" << a.title << ") = " << a.module->spec->name << "\n";
    }
    std::cout << "Devices built:\n";
    for (Device d : built_devices()) {
        Status s = device_available(d);
        std::cout << "  " << device_name(d) << ": " << (s ? "available" : "not available: " + s.message()) << "\n";
    }
    return 0;
}

namespace {
void print_failure(const Problem &p, const VerifyResult &r) {
    std::cout << verdict_name(r.comparison.verdict) << "  " << p.replay() << "\n" << failure_details(r, "    ");
}
}  // namespace

int run_verify(const ProblemOptions &o) {
    Problem p;
    if (std::string err = make_problem(o, &p); !err.empty()) {
        std::cerr << "prcm verify: " << err << "\n";
        return 2;
    }
    if (Status s = device_available(p.device); !s) {
        std::cerr << "prcm verify: " << device_name(p.device) << ": " << s.message() << "\n";
        return 3;
    }
    const VerifyResult r = verify(p);
    const Comparison &c = r.comparison;
    if (c.verdict != Verdict::passed) {
        print_failure(p, r);
        return 1;
    }
    std::cout << "PASSED  " << p.replay() << "  max abs err " << format_sci(c.max_abs) << ", max rel err "
              << format_sci(c.max_rel) << "\n";
    return 0;
}

int run_verify_all() {
    int failed = 0;
    for (const Module &m : modules()) {
        for (Device d : built_devices()) {
            if (Status s = device_available(d); !s) {
                std::cout << "SKIPPED " << m.spec->name << " on " << device_name(d) << ": " << s.message() << "\n";
                continue;
            }
            int passed = 0, cases = 0;
            double max_abs = 0;
            for (const Problem &p : awkward_problems(m, d)) {
                const VerifyResult r = verify(p);
                cases++;
                if (r.comparison.verdict == Verdict::passed) {
                    passed++;
                    max_abs = std::max(max_abs, r.comparison.max_abs);
                } else {
                    print_failure(p, r);
                }
            }
            failed += cases - passed;
            std::cout << (passed == cases ? "PASSED  " : "FAILED  ") << m.spec->name << " on " << device_name(d)
                      << ": " << passed << "/" << cases << " shapes, max abs err " << format_sci(max_abs) << "\n";
        }
    }
    return failed ? 1 : 0;
}

}  // namespace prcm::cli
