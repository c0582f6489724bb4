// Running a library on user tensors: checks first, then the call, then the
// result back on the host. Nothing here aborts; every failure is a Status.
#pragma once

#include "prcm/registry.h"

namespace prcm {

// Whether a device can run here; the message says why not in one line.
Status device_available(Device d);

// Shape rules shared by every block: a 4-D NCHW input with no zero-sized dimension,
// and an output of exactly the input's shape.
Status check_input(const Tensor &input);
Status check_output(const Tensor &input, const Tensor &output);

// Runs `module` on `device`: input and weights are checked against the module's
// spec, then the library writes `output` (allocated by the caller, input-shaped).
Status run_module(const Module &module, Device device, const Tensor &input, const Weights &weights,
                  Tensor &output);

// Calls a library with no checks and leaves its result where it is (on the device
// for a GPU): the benchmark loop, after run_module has checked the same tensors.
Status call_library(const Library &lib, const Tensor &input, const Weights &weights, Tensor &output);

// Runs the copy floor of `device`: output = input.
Status run_copy(Device device, const Tensor &input, Tensor &output);

// Blocks until the device has finished the work queued so far (timing needs it).
Status device_sync(Device device, Tensor &output);

// Threads the CPU libraries may use (0: Halide's default, one per core).
void set_cpu_threads(int threads);

}  // namespace prcm
