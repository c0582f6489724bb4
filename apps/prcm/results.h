// The one results format: what `bench --module`, `bench EXPERIMENT` and `run --json`
// write, and what `prcm report` reads (README "Results files"; the schema is
// docs/results.schema.json, checked by a test). A document is
//   {"format": "prcm-results", "version": 2, "context": {...}, "rows": [...], "summary": [...]}
// with one row per timed problem. CSV and Google Benchmark's JSON are derived from it.
#pragma once

#include "measure.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace prcm::cli {

constexpr const char *kResultsFormat = "prcm-results";
constexpr int kResultsVersion = 2;  // 1: the unversioned files of earlier prcm (read, converted)

// One timed problem, whichever command timed it.
struct ResultRow {
    // An experiment's row: its id, table, block label and swept value; empty otherwise.
    std::string experiment, part, block, sweep;
    double sweep_value = 0;
    const Module *module = nullptr;
    Problem problem;      // module, device, shape, hyper-parameters, seed, schedule
    bool seeded = true;   // false: `run`'s data came from the user's files
    std::string verdict;  // PASSED, FAILED, MISTRUSTED, SKIPPED, NOT BUILT, NOT COMPILED, NOT CHECKED
    std::optional<double> max_abs_err;
    int warmup = 0, repeat = 0;
    std::optional<Stats> latency, copy, untuned;
    long long params = -1;
    std::string error;
    nlohmann::json extra = nlohmann::json::object();  // command-specific fields (GFLOP/s, the FMA peak)
};

nlohmann::json stats_json(const Stats &s);  // in ms
// A row's "hyper_parameters" object as text, "expansion=2 kernel_size=7" (with " ").
std::string hyper_text(const nlohmann::json &hyper, const std::string &separator);
nlohmann::json result_row_json(const ResultRow &r);
// The whole document; `extra` adds top-level fields (an experiment run's parameter counts).
nlohmann::json results_json(const nlohmann::json &context, const std::vector<nlohmann::json> &rows,
                            const std::vector<std::string> &experiments, const std::vector<std::string> &summary,
                            const nlohmann::json &extra = nlohmann::json::object());

// Writes JSON as every output is written (prcm/files.h): whole or not at all.
Status write_json(const std::string &path, const nlohmann::json &doc);
// The results as CSV, one line per row, the context repeated on each.
std::string results_csv(const nlohmann::json &doc);
// The results as Google Benchmark's JSON (context + benchmarks, medians in µs), which its
// tools/compare.py reads: one benchmark per timed row, named module/shape/device/... .
nlohmann::json results_gbench(const nlohmann::json &doc);
// Writes the JSON and CSV asked for (either path may be empty), each whole or not at all,
// and says so on stdout.
Status write_results(const nlohmann::json &doc, const std::string &json_path, const std::string &csv_path);

// Reads a results file of any version, converting a version-1 file (an experiment's,
// `bench --module`'s or `run`'s) to version 2. ErrorKind::invalid names what is wrong.
Status read_results(const std::string &path, nlohmann::json *doc);

}  // namespace prcm::cli
