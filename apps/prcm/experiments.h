// The notebooks' tables as experiments: each configuration is verified, then
// timed beside the copy floor; results print as the notebooks' tables and go to
// JSON and CSV with the machine they were measured on.
#pragma once

#include "measure.h"

#include <nlohmann/json.hpp>

namespace prcm::cli {

struct ExperimentOptions {
    std::string name;  // an experiment id, or "all"
    std::string device = "cpu";
    TimingOptions timing;
    std::string json_path, csv_path;
};

// The ids, in the order `bench all` runs them.
std::vector<std::string> experiment_ids();
int run_experiments(const ExperimentOptions &o);
// The problems an experiment times on `device`, in its order (repeats included):
// what `prcm tune --shapes EXPERIMENT` tunes for. An unknown id is ErrorKind::invalid.
Status experiment_problems(const std::string &id, Device device, std::vector<Problem> *problems);

// `prcm report RESULTS.json --out DIR`: SVG charts of the sweeps and an index page.
int run_report(const std::string &json_path, const std::string &out_dir);

nlohmann::json machine_json(Device device, int threads);
// A timing's statistics as every results file writes them, in ms.
nlohmann::json stats_json(const Stats &s);

// Writes JSON as every output is written (prcm/files.h): whole or not at all.
Status write_json(const std::string &path, const nlohmann::json &doc);

}  // namespace prcm::cli
