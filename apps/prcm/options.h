// The command-line options several subcommands share (options.cpp), defined once.
#pragma once

#include "cli.h"

#include <CLI/CLI.hpp>

#include <string>

namespace prcm::cli {

// A count option bounded as it is parsed: the message names the bounds (and `meaning`).
CLI::Validator bounded(int lo, int hi, const std::string &meaning = "");
// --module, --shape and --seed (`with_data`: seeded data, not files), the hyper-parameters
// and --device (`device_list`: an experiment's list of devices, bench).
void add_problem_options(CLI::App *cmd, ProblemOptions &o, bool module_required, bool with_data = true,
                         bool device_list = false);
// --cpu-target: one target of the multi-target CPU libraries, for the whole process.
void add_cpu_target_option(CLI::App *cmd, std::string &target);
// --schedule: which library of the module runs (verify, bench).
void add_schedule_option(CLI::App *cmd, std::string &schedule);
// --warmup, --repeat, --threads.
void add_timing_options(CLI::App *cmd, TimingOptions &t);

}  // namespace prcm::cli
