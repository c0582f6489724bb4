// The notebooks' tables as experiments (catalogue.h): each configuration is verified,
// then timed beside the copy floor; results print as the notebooks' tables, with a
// summary derived from them, and go to the results files (results.h).
#pragma once

#include "catalogue.h"
#include "machine.h"
#include "measure.h"
#include "progress.h"
#include "results.h"

#include <map>
#include <optional>

namespace prcm::cli {

struct ExperimentOptions {
    std::string name;  // an experiment id, "all" or "schedules"
    std::string device = "cpu";
    TimingOptions timing;
    std::string json_path, csv_path;
};

int run_experiments(const ExperimentOptions &o);

// `prcm report RESULTS.json`: charts, CSV, Markdown tables or Google Benchmark's JSON
// from any results file (report.cpp).
struct ReportOptions {
    std::string results, out_dir, csv_path, markdown_path, gbench_path;
    bool out_given = false;  // --out on the command line; without it and any other output: charts into report/
};
int run_report(const ReportOptions &o);

// --- the parts of an experiment run, each in its own file ---

// One row of an experiment, as measured.
struct Row {
    const Config *config = nullptr;
    const Module *module = nullptr;
    Problem problem;
    Measurement m;
    long long params = -1;
    std::string verdict;  // PASSED / FAILED / MISTRUSTED / SKIPPED / NOT BUILT / NOT COMPILED
    // A library a tuning record tunes: its untuned twin, verified and timed in the same run.
    std::optional<Stats> untuned;
    int warmup = 0, repeat = 0;  // the calls its statistics rest on
    bool measured() const { return module && m.ok(); }
};
ResultRow result_of(const std::string &experiment, const Row &r);

// experiment_tables.cpp: every row with its statistics; the notebook's own pivot.
void print_long_table(const std::vector<Row> &rows, bool with_schedule = false);
void print_pivot(const Experiment &e, const std::vector<Row> &rows, const std::string &part);

// summary.cpp: what the measurements say, each line naming the calls and inputs it rests
// on, and no difference called real that the timings' spread covers.
std::vector<std::string> summarize(const std::map<std::string, std::vector<Row>> &by_experiment);

// bench_schedules.cpp: `bench schedules`, the hand schedules against the autoscheduled twins.
int run_schedules(const ExperimentOptions &o, const std::vector<Device> &available);

// The end of every experiment run: the results files asked for, the failure count, and
// the exit code (`code` where a configuration failed).
int finish_experiments(const ExperimentOptions &o, const nlohmann::json &doc, int failures, int code);

}  // namespace prcm::cli
