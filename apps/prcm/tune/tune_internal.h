// What the files of `prcm tune` share: its small helpers and the problems each module's search tunes.
#pragma once

#include "tune.h"

#include "record.h"

#include "../cli.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace prcm::cli {

// The tuner's files name prcm::tune's types unqualified, as tune_command.cpp did when it held them all.
using namespace prcm::tune;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

// "90s", "10m", "1h", "1h30m", or seconds.
bool parse_budget(const std::string &text, double *seconds);
std::string format_duration(double seconds);
std::string utc_now();
std::string problem_key(const Problem &p);
// The GPU's own name, asked of its driver; the CPU model on the CPU.
std::string device_model(Device d);
// tuning/<cpu model in lower case, words joined by '-'>.json
std::string default_record_path();
std::string device_target(Device d, const std::string &cpu_target);

// What one module's search works with.
struct Search {
    const Module *module = nullptr;
    std::vector<Problem> problems;
};

// The problems of each module, in the order of the experiment or the list, each once.
Status tuned_problems(const TuneOptions &o, Device device, std::vector<Search> *searches);

}  // namespace prcm::cli
