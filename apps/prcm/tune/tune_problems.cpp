// The problems `prcm tune` searches, module by module, and its small helpers: budget, clock, device, record path.
#include "tune_internal.h"

#include "../experiments.h"

#include <dlfcn.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <sstream>

namespace prcm::cli {

bool parse_budget(const std::string &text, double *seconds) {
    if (text.empty()) return false;
    double total = 0;
    size_t i = 0;
    while (i < text.size()) {
        size_t digits = i;
        while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.'))
            digits++;
        if (digits == i) return false;
        double value = 0;
        try {
            value = std::stod(text.substr(i, digits - i));
        } catch (const std::exception &) {
            return false;
        }
        double unit = 1;
        if (digits < text.size()) {
            const char u = text[digits++];
            unit = u == 'h' ? 3600 : u == 'm' ? 60 : u == 's' ? 1 : 0;
            if (unit == 0) return false;
        } else if (i != 0) {
            return false;  // "1m30": a unit for every number after the first
        }
        total += value * unit;
        i = digits;
    }
    *seconds = total;
    return total > 0 && total <= 7 * 24 * 3600;
}

std::string format_duration(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    return buf;
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string problem_key(const Problem &p) { return shape_text(p.shape) + hyper_flags(*p.module->spec, p.hp); }

std::string device_model(Device d) {
    if (d == Device::cpu) return cpu_model();
    char name[256] = {0};
    if (d == Device::cuda) {
        if (void *lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL)) {
            auto init = reinterpret_cast<int (*)(unsigned)>(dlsym(lib, "cuInit"));
            auto get = reinterpret_cast<int (*)(int *, int)>(dlsym(lib, "cuDeviceGet"));
            auto get_name = reinterpret_cast<int (*)(char *, int, int)>(dlsym(lib, "cuDeviceGetName"));
            int dev = 0;
            if (init && get && get_name && init(0) == 0 && get(&dev, 0) == 0 &&
                get_name(name, sizeof name - 1, dev) == 0) {
                return name;
            }
        }
        return "a CUDA GPU";
    }
    void *lib = dlopen("libOpenCL.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (lib) {
        auto platforms = reinterpret_cast<int (*)(unsigned, void **, unsigned *)>(dlsym(lib, "clGetPlatformIDs"));
        auto devices = reinterpret_cast<int (*)(void *, unsigned long, unsigned, void **, unsigned *)>(
            dlsym(lib, "clGetDeviceIDs"));
        auto info =
            reinterpret_cast<int (*)(void *, unsigned, size_t, void *, size_t *)>(dlsym(lib, "clGetDeviceInfo"));
        void *platform = nullptr, *device = nullptr;
        constexpr unsigned long kAllDevices = 0xFFFFFFFF;
        constexpr unsigned kDeviceName = 0x102B;
        if (platforms && devices && info && platforms(1, &platform, nullptr) == 0 &&
            devices(platform, kAllDevices, 1, &device, nullptr) == 0 &&
            info(device, kDeviceName, sizeof name - 1, name, nullptr) == 0) {
            return std::string("OpenCL: ") + name;
        }
    }
    return "an OpenCL device";
}

std::string default_record_path() {
    std::string slug;
    for (char c : cpu_model()) {
        if (std::isalnum(static_cast<unsigned char>(c)))
            slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        else if (!slug.empty() && slug.back() != '-')
            slug += '-';
    }
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
    return "tuning/" + (slug.empty() ? std::string("machine") : slug) + ".json";
}

std::string device_target(Device d, const std::string &cpu_target) {
    switch (d) {
        case Device::cpu: return cpu_target;
        case Device::opencl: return PRCM_OPENCL_TARGET;
        case Device::cuda: return PRCM_CUDA_TARGET;
    }
    return "";
}

Status tuned_problems(const TuneOptions &o, Device device, std::vector<Search> *searches) {
    // --module: resolved as every command resolves it (an unknown name lists the known).
    const Module *only = nullptr;
    if (!o.all) {
        ProblemOptions po;
        po.module = o.module;
        Problem p;
        if (Status s = make_problem(po, &p); !s) return s;
        only = p.module;
    }
    std::vector<Problem> problems;
    if (o.shapes.find(',') != std::string::npos) {  // N,C,H,W[;N,C,H,W...]
        std::vector<const Module *> chosen{only};
        if (o.all) {
            chosen.clear();
            for (const Module &m : modules()) chosen.push_back(&m);
        }
        std::stringstream list(o.shapes);
        for (std::string shape; std::getline(list, shape, ';');) {
            for (const Module *m : chosen) {
                ProblemOptions po;
                po.module = m->spec->name;
                po.shape = shape;
                po.device = device_name(device);
                Problem p;
                if (Status s = make_problem(po, &p); !s) return s.prefixed("--shapes: ");
                problems.push_back(p);
            }
        }
    } else {
        if (Status s = experiment_problems(o.shapes, device, &problems); !s) return s.prefixed("--shapes: ");
        if (only) {
            std::vector<Problem> mine;
            for (const Problem &p : problems)
                if (p.module == only) mine.push_back(p);
            if (mine.empty()) {
                return Status::error("--shapes: experiment '" + o.shapes + "' has no configuration of " +
                                     only->spec->name + "; give shapes instead (--shapes 1,64,64,64)");
            }
            problems = mine;
        }
    }
    for (const Problem &p : problems) {
        if (Status s = check_problem_size(p); !s) return s.prefixed("--shapes: ");
        auto it =
            std::find_if(searches->begin(), searches->end(), [&](const Search &s) { return s.module == p.module; });
        if (it == searches->end()) {
            searches->push_back({p.module, {}});
            it = searches->end() - 1;
        }
        const bool seen = std::any_of(it->problems.begin(), it->problems.end(),
                                      [&](const Problem &q) { return problem_key(q) == problem_key(p); });
        if (!seen) it->problems.push_back(p);
    }
    return Status::ok();
}

}  // namespace prcm::cli
