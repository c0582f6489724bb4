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

// The schedule of every library a module always has: written by hand (schedules/).
// An autoscheduled twin (built with -DPRCM_AUTOSCHEDULERS) is named after its
// autoscheduler in lower case: "mullapudi2016", "adams2019", "li2018", "anderson2021".
inline constexpr const char *kHandSchedule = "hand";
// In a build with a tuning record (-DPRCM_TUNING), the hand schedule of a library the
// record tunes runs the record's knobs; its twin "untuned" keeps the hand knobs.
inline constexpr const char *kUntunedSchedule = "untuned";
// The bottleneck's CPU twin over a plane's pixels in one run (modules.cmake's
// PRCM_FLAT_TWINS): the hand schedule calls it at the planes where it is faster.
inline constexpr const char *kFlatSchedule = "flat";
// The bottleneck's CPU twin with its vectors over channels and its 1x1 weights packed
// (modules.cmake's PRCM_CHANNELS_TWINS): the hand schedule calls it where it is faster.
inline constexpr const char *kChannelsSchedule = "channels";

// A schedule the project knows: its CLI name, the autoscheduler's own name (as
// PRCM_AUTOSCHEDULERS spells it; "" for hand), and the device it schedules for.
struct ScheduleInfo {
    const char *name;
    const char *autoscheduler;
    Device device;
};
// hand first, then every autoscheduler Halide 21 ships, then untuned (any device), then flat, channels.
const std::vector<ScheduleInfo> &known_schedules();
const ScheduleInfo *find_schedule(std::string_view name);
std::vector<std::string> known_schedule_names();

// A hand library built with a tuning record's winner (-DPRCM_TUNING): the knobs
// replace the defaults in the code of `target` alone (the other targets of a CPU
// library keep the hand knobs).
struct Tuning {
    const char *record = nullptr;  // the record's path as the build read it; null: not tuned
    const char *target = nullptr;  // the Halide target it was tuned on
    const char *knobs = nullptr;
    int trial = 0;     // the winning trial's id in the record
    double ratio = 1;  // its confirmed time over the hand schedule's
};

// One AOT library: its argv entry point and its metadata (argument names and order).
struct Library {
    Device device;
    const char *function_name;
    int (*argv)(void **args);
    const halide_filter_metadata_t *(*metadata)();
    const char *schedule = kHandSchedule;
    Tuning tuning = {};
};

// A twin the build tried to make and its autoscheduler could not compile: the first
// line of the error (the whole output is in build/generators/<function_name>.log).
struct FailedLibrary {
    Device device;
    const char *schedule;
    const char *function_name;
    const char *error;
};

struct Module {
    const ModuleSpec *spec;
    std::vector<Library> libraries;     // the hand ones first, one per device built
    std::vector<FailedLibrary> failed;  // twins that did not compile
    const Library *library(Device d, std::string_view schedule = kHandSchedule) const;
    const FailedLibrary *failure(Device d, std::string_view schedule) const;
};

// Another name of a module (the notebooks' *_NoDropout classes).
struct Alias {
    const char *name;   // CLI name: "prcm_no_dropout"
    const char *title;  // the notebook's class: "PRCM_NoDropout"
    const Module *module;
};

const std::vector<Module> &modules();
const std::vector<Alias> &aliases();
// A module by its name, an alias, or the notebooks' class name of either ("SE_Module",
// "PRCM_NoDropout"; the component kernels' titles are not class names and are not taken).
const Module *find_module(std::string_view name);
// Every name find_module takes, for messages: the names, then the aliases, then the class names.
std::vector<std::string> accepted_module_names();
std::vector<Device> built_devices();
// The schedules this build has a library of (or tried to: a twin that failed) on
// `d`, hand first, in known_schedules() order.
std::vector<std::string> built_schedules(Device d);
// The modules whose `schedule` twin on `d` its autoscheduler could not compile.
std::vector<std::string> modules_not_compiled(Device d, std::string_view schedule);
// The copy floor of a device: the same tensor copied by a Halide pipeline.
const Library *copy_library(Device d);

}  // namespace prcm
