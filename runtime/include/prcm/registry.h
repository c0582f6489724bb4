// The modules and libraries this build contains, generated from modules.cmake.
#pragma once

#include "prcm/module.h"

#include <HalideRuntime.h>

#include <string>
#include <string_view>
#include <vector>

namespace prcm {

enum class Device { cpu, opencl, cuda };
const char *device_name(Device d);
bool parse_device(std::string_view name, Device *d);

// One AOT library: its argv entry point and its metadata (argument names and order).
struct Library {
    Device device;
    const char *function_name;
    int (*argv)(void **args);
    const halide_filter_metadata_t *(*metadata)();
};

struct Module {
    const ModuleSpec *spec;
    std::vector<Library> libraries;
    const Library *library(Device d) const;
};

// Another name of a module (the notebooks' *_NoDropout classes).
struct Alias {
    const char *name;    // CLI name: "prcm_no_dropout"
    const char *title;   // the notebook's class: "PRCM_NoDropout"
    const Module *module;
};

const std::vector<Module> &modules();
const std::vector<Alias> &aliases();
// A module by its name or by an alias.
const Module *find_module(std::string_view name);
std::vector<Device> built_devices();
// The copy floor of a device: the same tensor copied by a Halide pipeline.
const Library *copy_library(Device d);

}  // namespace prcm
