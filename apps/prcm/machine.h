// What a result was measured on and with: the machine, the build and the command,
// as the results files' `context` block records them (results.h).
#pragma once

#include "prcm/registry.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace prcm::cli {

std::string cpu_model();  // /proc/cpuinfo's model name
int default_threads();    // HL_NUM_THREADS, else one per core
// "AMD EPYC, 1 thread, Halide 21.0.0, device cpu": the line tables print above them.
std::string machine_line(Device device, int threads);
// "hand", or "hand, but tuned by RECORD: prcm, se": which knobs the device's libraries run.
std::string schedules_in_use(Device device);

// The command line of this process, for the results (main sets it).
void set_command_line(int argc, char **argv);

// The `context` of a results file: date (UTC), the prcm version, git commit and build
// type it was built from, Halide, host, CPU model and count, the CPU target picked,
// threads, the devices and the schedules in use, and the command.
nlohmann::json context_json(const std::vector<Device> &devices, int threads);

}  // namespace prcm::cli
