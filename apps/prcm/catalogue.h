// The notebooks' blocks and experiments, as data: experiments/catalogue.json, built into
// prcm (and read by scripts/peer_bench.py, so both name a block alike).
#pragma once

#include "prcm/verify.h"

#include <string>
#include <utility>
#include <vector>

namespace prcm::cli {

using HyperSetting = std::pair<int HyperParams::*, int>;

// A module at settings, as the notebooks' tables name it.
struct Block {
    std::string label;   // "InvBN(2)": a sweep's column
    std::string title;   // "InvertedBottleneck (7x7, exp=2)": a single-input table's row
    std::string module;  // a registry name or alias
    std::vector<HyperSetting> hyper;
};

// One measured row of an experiment.
struct Config {
    std::string label;  // as the experiment's tables show the block
    std::string module;
    std::vector<HyperSetting> hyper;  // the block's settings, then the swept one
    TorchShape shape;
    std::string part;   // a table of the experiment ("C=128"), or ""
    std::string sweep;  // the swept value as the notebook prints it
    double sweep_value = 0;
    std::string schedule = kHandSchedule;  // `bench schedules`: hand or an autoscheduled twin
    void apply(HyperParams &hp) const;
};

struct Experiment {
    std::string id, title, source, sweep_name;
    bool timed = true;           // `params` only counts
    bool params_column = false;  // its pivot table shows the parameter count
    std::vector<Config> configs;
};

const std::vector<Block> &catalogue_blocks();
const Block *find_block(const std::string &label);
const std::vector<Experiment> &all_experiments();
// The ids, in the order `bench all` runs them.
std::vector<std::string> experiment_ids();
// The problems an experiment times on `device`, in its order (repeats included): what
// `prcm tune --shapes EXPERIMENT` tunes for. An unknown id is ErrorKind::invalid.
Status experiment_problems(const std::string &id, Device device, std::vector<Problem> *problems);

}  // namespace prcm::cli
