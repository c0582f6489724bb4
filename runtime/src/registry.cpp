#include "prcm/registry.h"

#include <cstring>

// The per-module specs, defined in runtime/reference/<module>.cpp.
#define PRCM_COPY(device, fn)
#define PRCM_MODULE(module)                \
    namespace prcm {                       \
    extern const ModuleSpec module##_spec; \
    }
#define PRCM_LIBRARY(module, device, fn)
#define PRCM_ALIAS(alias, module, title)
// An autoscheduled twin's entry points, declared as its generated header declares them.
#define PRCM_TWIN(module, device, schedule, fn) \
    extern "C" int fn##_argv(void **args);      \
    extern "C" const struct halide_filter_metadata_t *fn##_metadata();
#define PRCM_TWIN_FAILED(module, device, schedule, fn, error)
#define PRCM_TUNED(record, target, knobs, trial, ratio)
#include "prcm_registry.inc"
#undef PRCM_COPY
#undef PRCM_MODULE
#undef PRCM_LIBRARY
#undef PRCM_ALIAS
#undef PRCM_TWIN
#undef PRCM_TWIN_FAILED
#undef PRCM_TUNED

namespace prcm {

const std::vector<ScheduleInfo> &known_schedules() {
    static const std::vector<ScheduleInfo> schedules = {
        {kHandSchedule, "", Device::cpu},  // and every other device: each has its hand schedule
        {"mullapudi2016", "Mullapudi2016", Device::cpu},
        {"adams2019", "Adams2019", Device::cpu},
        {"li2018", "Li2018", Device::cpu},
        {"anderson2021", "Anderson2021", Device::cuda},
        {kUntunedSchedule, "", Device::cpu},  // and every other device a record tunes
        {kFlatSchedule, "", Device::cpu},
        {kChannelsSchedule, "", Device::cpu},
    };
    return schedules;
}

const ScheduleInfo *find_schedule(std::string_view name) {
    for (const ScheduleInfo &s : known_schedules()) {
        if (name == s.name) return &s;
    }
    return nullptr;
}

std::vector<std::string> known_schedule_names() {
    std::vector<std::string> names;
    for (const ScheduleInfo &s : known_schedules()) names.push_back(s.name);
    return names;
}

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

const Library *Module::library(Device d, std::string_view schedule) const {
    for (const Library &lib : libraries) {
        if (lib.device == d && schedule == lib.schedule) return &lib;
    }
    return nullptr;
}

const FailedLibrary *Module::failure(Device d, std::string_view schedule) const {
    for (const FailedLibrary &f : failed) {
        if (f.device == d && schedule == f.schedule) return &f;
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
#define PRCM_MODULE(module) t.modules.push_back({&module##_spec, {}, {}});
#define PRCM_LIBRARY(module, device, fn) \
    t.modules.back().libraries.push_back({Device::device, #fn, fn##_argv, fn##_metadata, kHandSchedule});
#define PRCM_ALIAS(alias, module, title) t.aliases.push_back({#alias, #title, nullptr});
#define PRCM_TWIN(module, device, schedule, fn) \
    t.modules.back().libraries.push_back({Device::device, #fn, fn##_argv, fn##_metadata, #schedule});
#define PRCM_TWIN_FAILED(module, device, schedule, fn, error) \
    t.modules.back().failed.push_back({Device::device, #schedule, #fn, error});
// Follows the PRCM_LIBRARY it tunes.
#define PRCM_TUNED(record, target, knobs, trial, ratio) \
    t.modules.back().libraries.back().tuning = {record, target, knobs, trial, ratio};
#include "prcm_registry.inc"
#undef PRCM_COPY
#undef PRCM_MODULE
#undef PRCM_LIBRARY
#undef PRCM_ALIAS
#undef PRCM_TWIN
#undef PRCM_TWIN_FAILED
#undef PRCM_TUNED
        // Aliases point into `modules`, which no longer grows.
        size_t i = 0;
#define PRCM_COPY(device, fn)
#define PRCM_MODULE(module)
#define PRCM_LIBRARY(module, device, fn)
#define PRCM_ALIAS(alias, target, title) t.aliases[i++].module = module_named(t.modules, #target);
#define PRCM_TWIN(module, device, schedule, fn)
#define PRCM_TWIN_FAILED(module, device, schedule, fn, error)
#define PRCM_TUNED(record, target, knobs, trial, ratio)
#include "prcm_registry.inc"
#undef PRCM_COPY
#undef PRCM_MODULE
#undef PRCM_LIBRARY
#undef PRCM_ALIAS
#undef PRCM_TWIN
#undef PRCM_TWIN_FAILED
#undef PRCM_TUNED
        return t;
    }();
    return t;
}

}  // namespace

const std::vector<Module> &modules() { return tables().modules; }

const std::vector<Alias> &aliases() { return tables().aliases; }

namespace {
// A notebook class name: an identifier ("SE_Module"), not a component's title ("Global Avg Pool").
bool is_class_name(std::string_view title) { return title.find(' ') == std::string_view::npos; }
}  // namespace

const Module *find_module(std::string_view name) {
    if (const Module *m = module_named(modules(), name)) return m;
    for (const Alias &a : aliases()) {
        if (name == a.name) return a.module;
    }
    for (const Module &m : modules()) {
        if (is_class_name(m.spec->title) && name == m.spec->title) return &m;
    }
    for (const Alias &a : aliases()) {
        if (name == a.title) return a.module;
    }
    return nullptr;
}

std::vector<std::string> accepted_module_names() {
    std::vector<std::string> names;
    for (const Module &m : modules()) names.push_back(m.spec->name);
    for (const Alias &a : aliases()) names.push_back(a.name);
    for (const Module &m : modules())
        if (is_class_name(m.spec->title)) names.push_back(m.spec->title);
    for (const Alias &a : aliases()) names.push_back(a.title);
    return names;
}

std::vector<Device> built_devices() {
    std::vector<Device> devices;
    for (const Library &lib : tables().copies) devices.push_back(lib.device);
    return devices;
}

std::vector<std::string> built_schedules(Device d) {
    std::vector<std::string> out;
    for (const ScheduleInfo &s : known_schedules()) {
        bool found = false;
        for (const Module &m : modules()) found = found || m.library(d, s.name) || m.failure(d, s.name);
        if (found) out.push_back(s.name);
    }
    return out;
}

std::vector<std::string> modules_not_compiled(Device d, std::string_view schedule) {
    std::vector<std::string> names;
    for (const Module &m : modules()) {
        if (m.failure(d, schedule)) names.push_back(m.spec->name);
    }
    return names;
}

const Library *copy_library(Device d) {
    for (const Library &lib : tables().copies) {
        if (lib.device == d) return &lib;
    }
    return nullptr;
}

}  // namespace prcm
