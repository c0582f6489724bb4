// Running a library on user tensors: checks first, then the call, then the
// result back on the host. Nothing here aborts; every failure is a Status.
#pragma once

#include "prcm/registry.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace prcm {

// Whether a device can run here; the message says why not in one line.
Status device_available(Device d);

// A module's input: the rank its spec takes, no zero-sized dimension.
Status check_input(const ModuleSpec &spec, const Tensor &input);
// A module's output: exactly the shape its spec maps the input to (and the C of its weights).
Status check_output(const ModuleSpec &spec, const HyperParams &hp, int channels, const Tensor &input,
                    const Tensor &output);

// A checked call, ready to repeat: the library, the hyper-parameters the weights
// imply, the library's arguments (weights after any folding), and its argv list,
// bound once so that a timed call does no lookups. It points into itself, so it
// is neither copied nor moved.
struct PreparedCall {
    const Module *module = nullptr;  // null for the copy floor
    const Library *library = nullptr;
    Device device = Device::cpu;
    HyperParams hp;
    Weights arguments;
    std::vector<void *> argv;  // the input and output slots are filled in a copy per call
    std::vector<int> scalars;
    int input_slot = -1, output_slot = -1;
    int threads_slot = -1;     // a CPU library's cpu_threads: the pool's size, filled in per call
    int width_slot = -1;       // a flat twin's plane_width: the input's W, filled in per call
    bool flat_pixels = false;  // the library takes the tensors viewed as (W * H, C, N)

    PreparedCall() = default;
    PreparedCall(const PreparedCall &) = delete;
    PreparedCall &operator=(const PreparedCall &) = delete;
};

// A schedule name the project knows, or an error (ErrorKind::invalid) listing the
// known ones and those built for `device`.
Status check_schedule(std::string_view schedule, Device device);

// The module's library of `schedule` on `device` (kHandSchedule, or an autoscheduled
// twin's name), or why there is none (ErrorKind::unavailable): the device or the twin
// not built, or the twin's autoscheduler could not compile it ("did not compile: ...").
// An unknown schedule name is ErrorKind::invalid. Says nothing of the device being here.
Status find_library(const Module &module, Device device, std::string_view schedule, const Library **library);

// Checks the device, the input, the weights and the output against the module's
// spec. `given` holds what the weights cannot imply (pool size); default: the spec's.
// `schedule` picks the library: the hand schedule, or an autoscheduled twin.
Status prepare_call(const Module &module, Device device, const Tensor &input, const Weights &weights,
                    const Tensor &output, PreparedCall *call, const HyperParams *given = nullptr,
                    std::string_view schedule = kHandSchedule);

// Calls the library of a prepared call and leaves its result where it is (on the
// device for a GPU): the benchmark loop. Then device_sync. An input already on the
// device is not uploaded again unless it is marked with set_host_dirty().
Status call_prepared(const PreparedCall &call, const Tensor &input, Tensor &output);

// prepare_call, call_prepared, and the result copied back to the host. The
// input's host values are used (uploaded again to a GPU) on every call, unless
// the device holds newer ones (a GPU result passed in as input): values written
// through data() between calls are never ignored. call_prepared, the timed loop,
// does not upload again: after writing through data(), call set_host_dirty().
Status run_module(const Module &module, Device device, const Tensor &input, const Weights &weights, Tensor &output,
                  const HyperParams *given = nullptr, std::string_view schedule = kHandSchedule);

// The copy floor of `device`: output = input, the same tensor copied by a Halide
// pipeline. prepare_copy binds it once for a timed loop (then call_prepared);
// run_copy does both. Either leaves a GPU result on the device.
Status prepare_copy(Device device, PreparedCall *call);
Status run_copy(Device device, const Tensor &input, Tensor &output);

// Blocks until the device has finished the work queued on `output`.
Status device_sync(Device device, Tensor &output);

// Brings a device result back to the host (a no-op on the CPU).
Status copy_to_host(Device device, Tensor &output);

// The CPU targets. Each CPU library holds code for every target of PRCM_CPU_TARGETS
// and, on its first call, dispatches to the first one this CPU can run (the last,
// the baseline, runs on every CPU of its architecture), then keeps that choice.

// The targets this build's CPU libraries hold, best first; the last is the baseline.
const std::vector<std::string> &cpu_targets();

// The dispatch's own test of whether this CPU has a target's features; the
// tests pass a pretend CPU.
using CpuFeatureCheck = int (*)(int count, const uint64_t *features);
// Whether this CPU can run a built target (false for a name not built).
bool cpu_can_run(std::string_view target, CpuFeatureCheck check = halide_default_can_use_target_features);

// The target the dispatch picks on this CPU when none is forced.
std::string cpu_target_picked(CpuFeatureCheck check = halide_default_can_use_target_features);

// Makes every CPU library of this process run `target` instead of the dispatch's
// pick, to verify or time each target on one machine. Refuses a name not built
// (invalid, the message lists the built targets) and a target this CPU cannot run
// (unavailable, naming the features it lacks). Each library keeps the choice of
// its first call, so this comes before any CPU library runs; afterwards a
// different target is refused (invalid).
Status force_cpu_target(std::string_view target, CpuFeatureCheck check = halide_default_can_use_target_features);

// The target the CPU libraries run in this process: the forced one, else the
// dispatch's pick; and whether it was forced.
std::string cpu_target_selected();
bool cpu_target_forced();
// "x86-64-linux (forced)" or "... (the multi-target dispatch's pick)".
std::string cpu_target_description();

// What the dispatch has asked in this process, as the hook that answers it saw.
// A library asks about its targets but the baseline (maybe all of them before it
// picks) and runs the best one allowed, or the baseline if none is.
struct CpuDispatchLog {
    std::vector<std::string> asked;  // targets asked about, best first
    std::string allowed;             // the best target allowed; empty if every one asked was refused
    bool unrecognized = false;       // a mask that is no built target's: the masks are wrong
};
CpuDispatchLog cpu_dispatch_log();

// The message of the last Halide error, and clears it. The runtime installs a
// Halide error handler when it is loaded, so a generated function called directly
// (prcm_<module>_cpu(...)) returns its non-zero error code instead of aborting
// the process; this is its message.
std::string take_halide_error();

// Whether a library runs tuned knobs here: built with a tuning record (Library::tuning)
// and, on the CPU, running the target the record was tuned for (the others of the
// multi-target library keep the hand knobs).
bool tuned_here(const Library &library);
// The schedule a library runs here, in words: "hand", "tuned by <record> (trial 38:
// 0.93x the hand schedule's time on <target>)", or, where the dispatch runs another
// target, "hand (<record> tuned <target>; this CPU runs <selected>)".
std::string schedule_in_use(const Library &library);

// Threads the CPU libraries may use (0: Halide's default, one per core).
void set_cpu_threads(int threads);

}  // namespace prcm
