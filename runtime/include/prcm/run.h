// Running a library on user tensors: checks first, then the call, then the
// result back on the host. Nothing here aborts; every failure is a Status.
#pragma once

#include "prcm/registry.h"

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
    mutable std::vector<void *> argv;  // input and output slots are filled per call
    std::vector<int> scalars;
    int input_slot = -1, output_slot = -1;

    PreparedCall() = default;
    PreparedCall(const PreparedCall &) = delete;
    PreparedCall &operator=(const PreparedCall &) = delete;
};

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
Status run_module(const Module &module, Device device, const Tensor &input, const Weights &weights,
                  Tensor &output, const HyperParams *given = nullptr, std::string_view schedule = kHandSchedule);

// The copy floor of `device`: output = input, the same tensor copied by a Halide
// pipeline. prepare_copy binds it once for a timed loop (then call_prepared);
// run_copy does both. Either leaves a GPU result on the device.
Status prepare_copy(Device device, PreparedCall *call);
Status run_copy(Device device, const Tensor &input, Tensor &output);

// Blocks until the device has finished the work queued on `output`.
Status device_sync(Device device, Tensor &output);

// Brings a device result back to the host (a no-op on the CPU).
Status copy_to_host(Device device, Tensor &output);

// The CPU target the multi-target libraries dispatch to on this machine (one of
// PRCM_CPU_TARGETS), found by asking the dispatcher itself.
std::string cpu_target_selected();

// The message of the last Halide error, and clears it. The runtime installs a
// Halide error handler when it is loaded, so a generated function called directly
// (prcm_<module>_cpu(...)) returns its non-zero error code instead of aborting
// the process; this is its message.
std::string take_halide_error();

// Threads the CPU libraries may use (0: Halide's default, one per core).
void set_cpu_threads(int threads);

}  // namespace prcm
