// The Tuner: searches one module's knobs in batches of candidates, then confirms the best apart.
#pragma once

#include "tune_internal.h"

#include "builder.h"
#include "record.h"
#include "runner.h"

#include <map>
#include <random>
#include <string>
#include <vector>

namespace prcm::cli {

class Tuner {
public:
    Tuner(const TuneOptions &o, Device device, std::string target, std::string out, std::string work, Record &record,
          Builder &builder, Runner &runner, int batch_size, int threads)
        : device_(device),
          target_(std::move(target)),
          out_(std::move(out)),
          work_(std::move(work)),
          shapes_(o.shapes),
          record_(record),
          builder_(builder),
          runner_(runner),
          batch_size_(batch_size),
          threads_(threads),
          rng_(o.seed),
          model_(device_model(device)) {}

    // Searches one module's knobs until `deadline`; false with `error` when even its
    // hand schedule could not be built.
    bool tune(const Search &search, Clock::time_point deadline, const std::string &label, std::string *error);

private:
    // Every candidate is built under one function name, so that the same code gives
    // the same object file; the label names its files.
    BuildRequest request(const std::string &module, const std::string &knobs) {
        return {module, target_ + "-no_runtime", knobs, "prcm_tune_candidate", std::to_string(++built_)};
    }
    Trial new_trial(const Search &search, const std::vector<std::string> &classes, const std::string &knobs,
                    const std::string &origin) const;
    void save();
    void progress(const std::string &label, const std::string &key, Clock::time_point deadline);
    void confirm(const Search &search, const LoadedLibrary &hand, const std::vector<std::string> &classes,
                 const std::string &key, Clock::time_point deadline);

    // Times a candidate against the hand schedule in a fresh process (prcm tune-time).
    void time_apart(const Search &search, const LoadedLibrary &hand, const LoadedLibrary &candidate,
                    const std::vector<std::string> &classes, Confirmation *c);

    Device device_;
    std::string target_, out_, work_, shapes_;
    Record &record_;
    Builder &builder_;
    Runner &runner_;
    int batch_size_, threads_;
    std::mt19937_64 rng_;
    std::string model_;
    int built_ = 0;
    std::string pattern_;
    // The libraries of this module's search, by trial knobs. Modules of one pattern
    // draw the same knob strings, so it is emptied for each module: once a prcm_se
    // trial was confirmed with the prcm library of the same knobs.
    std::map<std::string, LoadedLibrary> loaded_;
};

}  // namespace prcm::cli
