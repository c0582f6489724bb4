#include "prcm/registry.h"

#include <cstring>

// The per-module specs, defined in runtime/reference/<module>.cpp.
#define PRCM_COPY(device, fn)
#define PRCM_MODULE(module) namespace prcm { extern const ModuleSpec module##_spec; }
#define PRCM_LIBRARY(module, device, fn)
#define PRCM_ALIAS(alias, module, title)
#include "prcm_registry.inc"
#undef PRCM_COPY
#undef PRCM_MODULE
#undef PRCM_LIBRARY
#undef PRCM_ALIAS

namespace prcm {

const char *device_name(Device d) {
    switch (d) {
    case Device::cpu: return "cpu";
    case Device::opencl: return "opencl";
    case Device::cuda: return "cuda";
    }
    return "?";
}

bool parse_device(std::string_view name, Device *d) {
    for (Device candidate : {Device::cpu, Device::opencl, Device::cuda}) {
        if (name == device_name(candidate)) {
            *d = candidate;
            return true;
        }
    }
    return false;
}

const Library *Module::library(Device d) const {
    for (const Library &lib : libraries) {
        if (lib.device == d) return &lib;
    }
    return nullptr;
}

namespace {

struct Tables {
    std::vector<Module> modules;
    std::vector<Library> copies;
    std::vector<Alias> aliases;
};

const Module *module_named(const std::vector<Module> &modules, std::string_view name) {
    for (const Module &m : modules) {
        if (name == m.spec->name) return &m;
    }
    return nullptr;
}

const Tables &tables() {
    static const Tables t = [] {
        Tables t;
#define PRCM_COPY(device, fn) t.copies.push_back({Device::device, #fn, fn##_argv, fn##_metadata});
#define PRCM_MODULE(module) t.modules.push_back({&module##_spec, {}});
#define PRCM_LIBRARY(module, device, fn) \
    t.modules.back().libraries.push_back({Device::device, #fn, fn##_argv, fn##_metadata});
#define PRCM_ALIAS(alias, module, title) t.aliases.push_back({#alias, #title, nullptr});
#include "prcm_registry.inc"
#undef PRCM_COPY
#undef PRCM_MODULE
#undef PRCM_LIBRARY
#undef PRCM_ALIAS
        // Aliases point into `modules`, which no longer grows.
        size_t i = 0;
#define PRCM_COPY(device, fn)
#define PRCM_MODULE(module)
#define PRCM_LIBRARY(module, device, fn)
#define PRCM_ALIAS(alias, target, title) t.aliases[i++].module = module_named(t.modules, #target);
#include "prcm_registry.inc"
#undef PRCM_COPY
#undef PRCM_MODULE
#undef PRCM_LIBRARY
#undef PRCM_ALIAS
        return t;
    }();
    return t;
}

}  // namespace

const std::vector<Module> &modules() { return tables().modules; }

const std::vector<Alias> &aliases() { return tables().aliases; }

const Module *find_module(std::string_view name) {
    if (const Module *m = module_named(modules(), name)) return m;
    for (const Alias &a : aliases()) {
        if (name == a.name) return a.module;
    }
    return nullptr;
}

std::vector<Device> built_devices() {
    std::vector<Device> devices;
    for (const Library &lib : tables().copies) devices.push_back(lib.device);
    return devices;
}

const Library *copy_library(Device d) {
    for (const Library &lib : tables().copies) {
        if (lib.device == d) return &lib;
    }
    return nullptr;
}

}  // namespace prcm
