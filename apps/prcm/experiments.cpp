#include "experiments.h"

#include "prcm/files.h"
#include "prcm/run.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace prcm::cli {

namespace {

using Tweak = std::function<void(HyperParams &)>;

// A block as a notebook's table names it: a column label, a module, its settings.
struct Block {
    std::string label;
    std::string module;
    Tweak tweak;
};

// One measured row of an experiment.
struct Config {
    Block block;
    TorchShape shape;   // the experiment's x
    std::string part;   // a table of the experiment ("C=128"), or ""
    std::string sweep;  // the swept value as the notebook prints it
    double sweep_value = 0;
    std::string schedule = kHandSchedule;  // `bench schedules`: hand or an autoscheduled twin
};

struct Experiment {
    std::string id, title, source, sweep_name;
    std::vector<Config> configs;
    bool timed = true;  // `params` only counts
};

Tweak basis(int b) {
    return [b](HyperParams &hp) { hp.num_basis = b; };
}
Tweak expansion(int r) {
    return [r](HyperParams &hp) { hp.expansion = r; };
}
Tweak pool(int ps) {
    return [ps](HyperParams &hp) {
        hp.pool_size = ps;
        hp.expansion = 2;
    };
}
Tweak bottleneck(int r) {
    return [r](HyperParams &hp) {
        hp.kernel_size = 7;
        hp.expansion = r;
    };
}

const Block kInvBN2{"InvBN(2)", "inverted_bottleneck", bottleneck(2)};
const Block kInvBN4{"InvBN(4)", "inverted_bottleneck", bottleneck(4)};
const Block kPrcm{"PRCM", "prcm", basis(8)};
const Block kAffine{"AffinePRCM", "affine_prcm", basis(8)};
const Block kSe{"SE", "se", [](HyperParams &hp) { hp.reduction = 4; }};
const Block kPrcmSe4{"PRCM_SE(4)", "prcm_se", expansion(4)};
const Block kAdaPool4{"AdaPool(4x4)", "prcm_adaptive_pool", pool(4)};
const Block kBasisExp{"BasisExp", "prcm_basis_expand", [](HyperParams &hp) {
                          hp.num_basis = 8;
                          hp.expansion = 4;
                      }};

std::string hw(int s) { return std::to_string(s) + "x" + std::to_string(s); }

Experiment sweep(std::string id, std::string title, std::string source, std::string sweep_name) {
    Experiment e;
    e.id = std::move(id);
    e.title = std::move(title);
    e.source = std::move(source);
    e.sweep_name = std::move(sweep_name);
    return e;
}

void add(Experiment &e, const Block &b, TorchShape shape, std::string sweep, double value, std::string part = "") {
    e.configs.push_back({b, std::move(shape), std::move(part), std::move(sweep), value});
}

std::vector<Experiment> all_experiments() {
    std::vector<Experiment> out;
    const TorchShape x64{1, 64, 64, 64};

    Experiment params = sweep("params", "Parameter counts (channels=64)", "000 §4, 001 §3", "Variant");
    params.timed = false;
    out.push_back(params);

    Experiment latency = sweep("latency", "Latency comparison (input 1x64x64x64)", "000 §5-6, 001 §4", "Variant");
    for (const Block &b : std::vector<Block>{
             {"InvertedBottleneck (7x7, exp=2)", "inverted_bottleneck", bottleneck(2)},
             {"InvertedBottleneck (7x7, exp=4)", "inverted_bottleneck", bottleneck(4)},
             {"InvertedBottleneckRes (7x7, exp=2)", "inverted_bottleneck_res", bottleneck(2)},
             {"PRCM (scale only)", "prcm", basis(8)},
             {"PRCM (no dropout)", "prcm_no_dropout", basis(8)},
             {"AffinePRCM (scale+shift)", "affine_prcm", basis(8)},
             {"AffinePRCM (no dropout)", "affine_prcm_no_dropout", basis(8)},
             {"ShiftOnlyPRCM", "shift_only_prcm", basis(8)},
             {"SE (reduction=4)", "se", kSe.tweak},
             {"PRCM_SE (exp=4)", "prcm_se", expansion(4)},
             {"PRCM_AdaptivePool (2x2)", "prcm_adaptive_pool", pool(2)},
             {"PRCM_AdaptivePool (4x4)", "prcm_adaptive_pool", pool(4)},
             {"PRCM_AdaptivePool (8x8)", "prcm_adaptive_pool", pool(8)},
             {"PRCM_BasisExpand (exp=4)", "prcm_basis_expand", kBasisExp.tweak},
             {"PRCM_SE_Affine (exp=4)", "prcm_se_affine", expansion(4)},
         })
        add(latency, b, x64, "1x64x64x64", 64);
    out.push_back(latency);

    Experiment components = sweep("components", "Component-wise latency (C=64, B=8, 64x64)", "001 §5", "Operation");
    for (const Block &b : std::vector<Block>{
             {"Global Avg Pool (ctx = x.mean([2,3]))", "gap", nullptr},
             {"Basis Projection (coeff = ctx @ basis.t())", "basis_projection", basis(8)},
             {"Linear (fuser/scale_proj)", "linear", basis(8)},
             {"Sigmoid", "sigmoid", basis(8)},
             {"Scale (x * alpha)", "scale", nullptr},
             {"Shift (x + beta)", "shift", nullptr},
             {"Affine (x * alpha + beta)", "affine", nullptr},
         })
        add(components, b, x64, "1x64x64x64", 64);
    out.push_back(components);

    Experiment channels = sweep("channels", "Latency vs channels (64x64)", "000 §7, 001 §6", "Channels");
    for (int c : {24, 48, 64, 96, 128, 192})
        for (const Block &b : {kInvBN2, kInvBN4, kPrcm, kAffine, kSe, kPrcmSe4, kAdaPool4, kBasisExp})
            add(channels, b, {1, c, 64, 64}, std::to_string(c), c);
    out.push_back(channels);

    Experiment exp = sweep("expansion", "PRCM_SE expansion ratio (C=64, 64x64)", "000 §8", "Expansion");
    for (int r : {1, 2, 4, 8, 16}) add(exp, {"PRCM_SE", "prcm_se", expansion(r)}, x64, std::to_string(r), r);
    out.push_back(exp);

    Experiment poolsize = sweep("poolsize", "PRCM_AdaptivePool size (C=64, expansion=2, 64x64)", "000 §9", "Pool Size");
    for (int ps : {1, 2, 4, 8, 16, 32})
        add(poolsize, {"PRCM_AdaptivePool", "prcm_adaptive_pool", pool(ps)}, x64, hw(ps), ps);
    out.push_back(poolsize);

    Experiment resolution = sweep("resolution", "Latency vs resolution", "000 §10, 001 §7", "Resolution");
    for (int s : {4, 8, 16, 32, 64})
        for (const Block &b : {kInvBN2, kInvBN4, kPrcm, kPrcmSe4, kAdaPool4})
            add(resolution, b, {1, 128, s, s}, hw(s), s, "C=128");
    for (int s : {16, 32, 64, 128, 256})
        for (const Block &b : {kPrcm, kAffine}) add(resolution, b, {1, 64, s, s}, hw(s), s, "C=64");
    out.push_back(resolution);

    Experiment bases = sweep("basis", "Latency vs num_basis (C=64, 64x64)", "001 §8", "num_basis");
    for (int b : {4, 8, 16, 32})
        for (const Block &blk : {Block{"PRCM", "prcm", basis(b)}, Block{"AffinePRCM", "affine_prcm", basis(b)}})
            add(bases, blk, x64, std::to_string(b), b);
    out.push_back(bases);

    Experiment batch = sweep("batch", "Latency vs batch size (C=64, 64x64)", "001 §9", "Batch");
    for (int n : {1, 2, 4, 8, 16})
        for (const Block &b : {kPrcm, kAffine}) add(batch, b, {n, 64, 64, 64}, std::to_string(n), n);
    out.push_back(batch);
    return out;
}

struct Row {
    const Config *config = nullptr;
    const Module *module = nullptr;
    Problem problem;
    Measurement m;
    long long params = -1;
    std::string verdict;  // PASSED / FAILED / MISTRUSTED / SKIPPED / NOT BUILT
    // A library a tuning record tunes: its untuned twin, verified and timed in the same run.
    std::optional<Stats> untuned;
    bool measured() const { return module && m.ok(); }
};

// Measures a row's problem; where a tuning record tunes its library (and this process
// runs the target it was tuned for), the untuned twin too, call by call in turn with it.
void measure_row(Row &r, const TimingOptions &t) {
    const Library *lib = r.module->library(r.problem.device, r.problem.schedule);
    if (r.problem.schedule == kHandSchedule && lib && tuned_here(*lib) &&
        r.module->library(r.problem.device, kUntunedSchedule)) {
        Problem untuned = r.problem;
        untuned.schedule = kUntunedSchedule;
        const std::vector<Measurement> ms = measure_together({r.problem, untuned}, t);
        r.m = ms[0];
        if (ms[0].ok() && ms[1].ok()) r.untuned = ms[1].block;
        return;
    }
    r.m = measure(r.problem, t);
}

std::string fixed(double v, const char *format) {
    char buf[48];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

// Progress for long runs, on stderr so that stdout stays a clean table.
class Progress {
public:
    explicit Progress(size_t total) : total_(total), start_(std::chrono::steady_clock::now()) {}
    void step(const std::string &experiment, const std::string &what) {
        done_++;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        const double left = done_ > 1 ? elapsed / (done_ - 1) * (total_ - done_ + 1) : 0;
        std::fprintf(stderr, "\r[%s %zu/%zu] %-48.48s elapsed %5.1fs, ~%5.1fs left", experiment.c_str(), done_,
                     total_, what.c_str(), elapsed, left);
        std::fflush(stderr);
        stderr_mid_line = 1;
    }
    void finish() {
        std::fprintf(stderr, "\r%*s\r", 100, "");
        std::fflush(stderr);
        stderr_mid_line = 0;
    }

private:
    size_t total_, done_ = 0;
    std::chrono::steady_clock::time_point start_;
};

std::string geomean_text(const std::vector<double> &ratios) { return fixed(geometric_mean(ratios), "%.2fx"); }

void print_long_table(const std::vector<Row> &rows, bool with_schedule = false) {
    Table t{{"Block", "Input", "Verified", "Max abs err", "Mean (ms)", "Std (ms)", "Min (ms)", "Median (ms)", "P90 (ms)",
             "Copy (ms)", "vs copy"},
            {}};
    if (with_schedule) t.header.insert(t.header.begin() + 2, "Schedule");
    const bool tuned = std::any_of(rows.begin(), rows.end(), [](const Row &r) { return r.untuned.has_value(); });
    if (tuned) t.header.insert(t.header.end(), {"Untuned (ms)", "vs untuned"});
    std::vector<double> gains;
    for (const Row &r : rows) {
        std::vector<std::string> cells{r.config->block.label, shape_text(r.config->shape), r.verdict};
        if (with_schedule) cells.insert(cells.begin() + 2, r.config->schedule);
        if (r.measured()) {
            cells.push_back(format_sci(r.m.verified.comparison.max_abs));
            for (double v : {r.m.block.mean, r.m.block.std, r.m.block.min, r.m.block.median, r.m.block.p90,
                             r.m.copy.median})
                cells.push_back(format_ms(v));
            cells.push_back(ratio_string(r.m.block.median, r.m.copy.median));
        } else {
            cells.insert(cells.end(), 8, "-");
        }
        if (tuned && r.measured() && r.untuned) {
            cells.push_back(format_ms(r.untuned->median));
            cells.push_back(ratio_string(r.m.block.median, r.untuned->median));
            gains.push_back(r.m.block.median / r.untuned->median);
        } else if (tuned) {
            cells.insert(cells.end(), 2, "-");
        }
        t.rows.push_back(cells);
    }
    t.print();
    if (!gains.empty()) {
        std::cout << "\n'vs untuned': a tuned library's median over its hand knobs' (the untuned twin), timed in "
                     "turn in the same run; geometric mean "
                  << geomean_text(gains) << " over " << gains.size() << " tuned rows.\n";
    }
}

// The notebook's own shape: one row per swept value, one column per block.
void print_pivot(const Experiment &e, const std::vector<Row> &rows, const std::string &part) {
    std::vector<std::string> blocks, sweeps;
    std::map<std::pair<std::string, std::string>, const Row *> cell;
    for (const Row &r : rows) {
        if (r.config->part != part) continue;
        if (std::find(blocks.begin(), blocks.end(), r.config->block.label) == blocks.end())
            blocks.push_back(r.config->block.label);
        if (std::find(sweeps.begin(), sweeps.end(), r.config->sweep) == sweeps.end()) sweeps.push_back(r.config->sweep);
        cell[{r.config->sweep, r.config->block.label}] = &r;
    }
    if (sweeps.size() < 2) return;  // one input: the long table says it all
    const bool affine_pair = std::count(blocks.begin(), blocks.end(), "PRCM") &&
                             std::count(blocks.begin(), blocks.end(), "AffinePRCM");
    Table t{{e.sweep_name}, {}};
    for (const std::string &b : blocks) t.header.push_back(b + " (ms)");
    if (e.id == "expansion" || e.id == "poolsize" || e.id == "basis") t.header.push_back("Params");
    if (affine_pair) t.header.push_back("Affine/PRCM");
    for (const std::string &s : sweeps) {
        std::vector<std::string> line{s};
        long long params = -1;
        for (const std::string &b : blocks) {
            const Row *r = cell.count({s, b}) ? cell[{s, b}] : nullptr;
            line.push_back(r && r->measured() ? format_ms(r->m.block.median) : "-");
            if (r) params = r->params;
        }
        if (e.id == "expansion" || e.id == "poolsize" || e.id == "basis")
            line.push_back(params >= 0 ? format_count(params) : "-");
        if (affine_pair) {
            const Row *p = cell[{s, "PRCM"}], *a = cell[{s, "AffinePRCM"}];
            line.push_back(p && a && p->measured() && a->measured() ? ratio_string(a->m.block.median, p->m.block.median) : "-");
        }
        t.rows.push_back(line);
    }
    std::cout << "\n" << (part.empty() ? "" : part + ", ") << "median latency:\n";
    t.print();
}

nlohmann::json row_json(const Experiment &e, const Row &r) {
    nlohmann::json j = {{"experiment", e.id},
                        {"part", r.config->part},
                        {"block", r.config->block.label},
                        {"module", r.config->block.module},
                        {"sweep", r.config->sweep},
                        {"sweep_value", r.config->sweep_value},
                        {"shape", r.config->shape},
                        {"device", device_name(r.problem.device)},
                        {"verdict", r.verdict},
                        {"params", r.params},
                        {"schedule", r.config->schedule}};
    if (r.module) {
        j["hyper_parameters"] = hyper_flags(*r.module->spec, r.problem.hp);
        j["replay"] = r.problem.replay();
        if (const Library *lib = r.module->library(r.problem.device, r.config->schedule)) {
            j["schedule_in_use"] = schedule_in_use(*lib);
        }
    }
    if (r.measured()) {
        const Stats &s = r.m.block;
        j["max_abs_err"] = r.m.verified.comparison.max_abs;
        j["latency_ms"] = stats_json(s);
        j["copy_ms"] = stats_json(r.m.copy);
        j["ratio_to_copy"] = s.median / r.m.copy.median;
        if (r.untuned) {
            j["untuned_ms"] = stats_json(*r.untuned);
            j["ratio_to_untuned"] = s.median / r.untuned->median;
        }
    } else if (!r.m.error().empty()) {
        j["error"] = r.m.error();
    }
    return j;
}

// What the measurements say, derived from them: nothing here is typed in.
std::vector<std::string> summarize(const std::map<std::string, std::vector<Row>> &results) {
    std::vector<std::string> lines;
    auto median_of = [](const Row &r) { return r.m.block.median; };

    if (auto it = results.find("resolution"); it != results.end()) {
        std::map<std::pair<std::string, std::string>, const Row *> fastest;
        std::vector<std::pair<std::string, std::string>> order;
        for (const Row &r : it->second) {
            if (!r.measured()) continue;
            auto key = std::make_pair(r.config->part, r.config->sweep);
            if (!fastest.count(key)) order.push_back(key);
            if (!fastest.count(key) || median_of(r) < median_of(*fastest[key])) fastest[key] = &r;
        }
        for (const auto &key : order) {
            const Row &r = *fastest[key];
            lines.push_back("Fastest at " + key.first + ", " + key.second + ": " + r.config->block.label + " (" +
                            format_ms(median_of(r)) + " ms)");
        }
    }

    // AffinePRCM's overhead over PRCM wherever both were measured on the same input.
    std::vector<double> overheads;
    std::string where;
    for (const auto &[id, rows] : results) {
        std::map<std::string, const Row *> prcm, affine;
        for (const Row &r : rows) {
            if (!r.measured()) continue;
            const std::string key = r.config->part + "|" + r.config->sweep;
            if (r.config->block.module == "prcm") prcm[key] = &r;
            if (r.config->block.module == "affine_prcm") affine[key] = &r;
        }
        for (const auto &[key, p] : prcm) {
            if (!affine.count(key)) continue;
            overheads.push_back(median_of(*affine[key]) / median_of(*p) - 1.0);
            if (where.find(id) == std::string::npos) where += (where.empty() ? "" : ", ") + id;
        }
    }
    if (!overheads.empty()) {
        std::sort(overheads.begin(), overheads.end());
        const double mid = overheads[overheads.size() / 2];
        lines.push_back("AffinePRCM over PRCM: median " + fixed(100 * mid, "%+.1f%%") + " (range " +
                        fixed(100 * overheads.front(), "%+.1f%%") + " to " + fixed(100 * overheads.back(), "%+.1f%%") +
                        " over " + std::to_string(overheads.size()) + " inputs in " + where + ")");
    }

    // Growth: how time scales with the swept size, from the smallest to the largest point.
    for (const char *id : {"channels", "resolution", "batch"}) {
        auto it = results.find(id);
        if (it == results.end()) continue;
        std::map<std::string, std::vector<const Row *>> by_block;
        std::vector<std::string> order;
        for (const Row &r : it->second) {
            if (!r.measured()) continue;
            const std::string key = r.config->block.label + (r.config->part.empty() ? "" : " at " + r.config->part);
            if (!by_block.count(key)) order.push_back(key);
            by_block[key].push_back(&r);
        }
        for (const std::string &key : order) {
            const auto &v = by_block[key];
            if (v.size() < 2) continue;
            auto elements = [](const Row *r) {
                double n = 1;
                for (int e : r->config->shape) n *= e;
                return n;
            };
            const Row *a = v.front(), *b = v.back();
            lines.push_back(std::string(id) + ": " + key + " goes " + a->config->sweep + " -> " + b->config->sweep +
                            ": " + fixed(elements(b) / elements(a), "%.1f") + "x the elements, " +
                            fixed(median_of(*b) / median_of(*a), "%.1f") + "x the time");
        }
    }
    return lines;
}

Status write_csv(const std::string &path, const nlohmann::json &doc) {
    std::ostringstream out;
    out << "experiment,part,block,module,sweep,shape,device,verdict,params,mean_ms,std_ms,min_ms,median_ms,p90_ms,"
           "copy_median_ms,ratio_to_copy,max_abs_err,cpu,threads,halide,cpu_target\n";
    const auto &m = doc["machine"];
    auto quoted = [](const std::string &s) { return "\"" + s + "\""; };
    for (const auto &r : doc["rows"]) {
        std::string shape;
        for (const auto &e : r["shape"]) shape += (shape.empty() ? "" : "x") + std::to_string(e.get<int>());
        out << r["experiment"].get<std::string>() << "," << quoted(r["part"]) << "," << quoted(r["block"]) << ","
            << r["module"].get<std::string>() << "," << quoted(r["sweep"]) << "," << shape << ","
            << r["device"].get<std::string>() << "," << r["verdict"].get<std::string>() << ","
            << r["params"].get<long long>();
        if (r.contains("latency_ms")) {
            const auto &l = r["latency_ms"];
            for (const char *k : {"mean", "std", "min", "median", "p90"}) out << "," << l[k].get<double>();
            out << "," << r["copy_ms"]["median"].get<double>() << "," << r["ratio_to_copy"].get<double>() << ","
                << r["max_abs_err"].get<double>();
        } else {
            out << ",,,,,,,,";
        }
        out << "," << quoted(m["cpu"]) << "," << m["threads"].get<int>() << "," << m["halide_version"].get<std::string>()
            << "," << m["cpu_target"].get<std::string>() << "\n";
    }
    return write_file_atomically(path, out.str());
}

// `bench schedules`: every module at three shapes, the hand schedule against each
// autoscheduled twin built, all verified, timed together with the copy floor.
const char *const kSchedulesTitle = "Hand schedules against the autoscheduled twins";
// The notebooks' latency shape (the autoschedulers' estimates), a small map with more
// channels (the resolution sweep's C=128 at 16x16: per-call overhead and the per-sample
// vectors weigh more), and a batch (8x64x32x32: twice the elements, in 8 samples). Not
// 8x8: there the Mullapudi2016 and Adams2019 twins of most modules refuse the shape
// (their tiles assume W >= 16: `prcm verify --all --schedule S` shows where each refuses).
const std::vector<TorchShape> kScheduleShapes{{1, 64, 64, 64}, {1, 128, 16, 16}, {8, 64, 32, 32}};


// The end of every experiment run: the results files asked for, the failure count,
// and the exit code (`code` where a configuration failed).
int finish_experiments(const ExperimentOptions &o, const nlohmann::json &doc, int failures, int code) {
    if (!o.json_path.empty()) {
        if (Status s = write_json(o.json_path, doc); !s) return report_error("bench", s);
        std::cout << "\nwrote " << printable(o.json_path) << "\n";
    }
    if (!o.csv_path.empty()) {
        if (Status s = write_csv(o.csv_path, doc); !s) return report_error("bench", s);
        std::cout << "wrote " << printable(o.csv_path) << "\n";
    }
    if (failures) std::cout << failures << " configuration(s) FAILED\n";
    return failures ? code : exit_ok;
}

int run_schedules(const ExperimentOptions &o, const std::vector<Device> &available) {
    bool any_twins = false;
    for (Device d : available) any_twins = any_twins || built_schedules(d).size() > 1;
    if (!any_twins) {
        return report_error("bench", Status::unavailable("schedules: no autoscheduled twins in this build to compare with "
                                                         "the hand schedules (configure with "
                                                         "-DPRCM_AUTOSCHEDULERS=\"Mullapudi2016;Adams2019;Li2018\", "
                                                         "or Anderson2021 for CUDA)"));
    }
    TimingOptions base = o.timing;
    if (base.threads > 0) set_cpu_threads(base.threads);
    std::cout << "machine: " << machine_line(available.front(), base.threads) << ", CPU target "
              << cpu_target_selected() << "\n";
    std::cout << "\n=== schedules: " << kSchedulesTitle << "  [autoscheduler estimates: 1x64x64x64]\n";

    std::deque<Config> configs;  // rows point at them
    nlohmann::json rows_json = nlohmann::json::array(), timing_json = nlohmann::json::object(),
                   summary_json = nlohmann::json::array();
    int failures = 0, code = exit_ok;
    for (Device device : available) {
        std::vector<std::string> schedules = built_schedules(device);
        if (schedules.size() < 2) {
            std::cout << device_name(device) << ": no autoscheduled twins in this build\n";
            continue;
        }
        TimingOptions t = base;
        resolve_protocol(device, &t);
        timing_json[device_name(device)] = {{"warmup", t.warmup}, {"repeat", t.repeat}};
        std::vector<Row> rows;
        Progress progress(modules().size() * kScheduleShapes.size());
        for (const Module &module : modules()) {
            for (const TorchShape &shape : kScheduleShapes) {
                progress.step("schedules", std::string(module.spec->title) + " " + shape_text(shape) + " " +
                                               device_name(device));
                std::vector<Problem> problems;
                std::vector<Row> group;
                for (const std::string &schedule : schedules) {
                    configs.push_back({{module.spec->title, module.spec->name, nullptr}, shape, schedule,
                                       shape_text(shape), static_cast<double>(shape[1]), schedule});
                    Row r;
                    r.config = &configs.back();
                    r.module = &module;
                    r.problem = make_problem(module, device, shape);
                    r.problem.schedule = schedule;
                    r.params = parameter_count(*module.spec, shape[1], r.problem.hp);
                    group.push_back(std::move(r));
                    problems.push_back(group.back().problem);
                }
                std::vector<Measurement> ms = measure_together(problems, t);
                for (size_t i = 0; i < group.size(); i++) {
                    Row &r = group[i];
                    r.m = std::move(ms[i]);
                    const FailedLibrary *failed = module.failure(device, r.problem.schedule);
                    r.verdict = failed ? "NOT COMPILED"
                                : r.m.status ? verdict_name(r.m.verified.comparison.verdict) : "FAILED";
                    // A twin its autoscheduler could not compile is reported (below, and by the
                    // build), not counted as a failure: there is nothing to verify.
                    if (!r.m.ok() && !failed) {
                        failures++;
                        code = std::max(code, exit_code(r.m));
                    }
                    rows.push_back(std::move(r));
                }
            }
        }
        progress.finish();
        std::cout << "-- " << device_name(device) << " (" << t.warmup << " warm-up / " << t.repeat
                  << " timed calls; each block's schedules and the copy timed in turn, call by call)\n";
        print_long_table(rows, true);

        // One line per block and shape: each twin's median against the hand schedule's.
        Table pivot{{"Block", "Input", "hand (ms)"}, {}};
        for (size_t k = 1; k < schedules.size(); k++) {
            pivot.header.push_back(schedules[k] + " (ms)");
            pivot.header.push_back("vs hand");
        }
        pivot.header.push_back("Copy (ms)");
        std::map<std::string, std::vector<double>> ratios;  // twin / hand, per schedule
        std::map<std::string, int> wins;
        for (size_t i = 0; i < rows.size(); i += schedules.size()) {
            const Row &hand = rows[i];
            std::vector<std::string> line{hand.config->block.label, shape_text(hand.config->shape),
                                          hand.measured() ? format_ms(hand.m.block.median) : "-"};
            double copy = hand.measured() ? hand.m.copy.median : 0;
            for (size_t k = 1; k < schedules.size(); k++) {
                const Row &twin = rows[i + k];
                if (!twin.measured()) {
                    line.push_back(twin.verdict == "NOT COMPILED" ? "not compiled" : twin.verdict);
                    line.push_back("-");
                    continue;
                }
                if (copy == 0) copy = twin.m.copy.median;
                line.push_back(format_ms(twin.m.block.median));
                if (hand.measured()) {
                    const double ratio = twin.m.block.median / hand.m.block.median;
                    line.push_back(fixed(ratio, "%.2fx"));
                    ratios[schedules[k]].push_back(ratio);
                    if (ratio < 1) wins[schedules[k]]++;
                } else {
                    line.push_back("-");
                }
            }
            line.push_back(copy > 0 ? format_ms(copy) : "-");
            pivot.rows.push_back(line);
        }
        std::cout << "\nmedian latency; 'vs hand' is the twin's median over the hand schedule's "
                     "(below 1.00x: the twin is faster):\n";
        pivot.print();

        Experiment e;
        e.id = "schedules";
        for (const Row &r : rows) {
            rows_json.push_back(row_json(e, r));
            if (!r.m.ok() && r.module) {
                std::cout << "  " << r.verdict << " " << r.problem.replay() << ": " << r.m.error() << "\n";
            }
        }
        std::cout << "\n=== summary on " << device_name(device) << " (derived from the measurements above)\n";
        for (size_t k = 1; k < schedules.size(); k++) {
            const std::vector<double> &v = ratios[schedules[k]];
            std::string line = schedules[k] + ": ";
            if (v.empty()) {
                line += "nothing measured";
            } else {
                const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
                line += "faster than hand in " + std::to_string(wins[schedules[k]]) + " of " + std::to_string(v.size()) +
                        "; its time over hand's: geometric mean " + geomean_text(v) + ", from " + fixed(*lo, "%.2fx") +
                        " to " + fixed(*hi, "%.2fx");
            }
            const std::string not_compiled = join(modules_not_compiled(device, schedules[k]));
            if (!not_compiled.empty()) line += "; did not compile: " + not_compiled;
            std::cout << "- " << line << "\n";
            summary_json.push_back(std::string(device_name(device)) + ": " + line);
        }
    }
    const nlohmann::json doc = {{"machine", machine_json(available.front(), base.threads)},
                                {"timing", timing_json},
                                {"experiments", {"schedules"}},
                                {"rows", rows_json},
                                {"summary", summary_json}};
    return finish_experiments(o, doc, failures, code);
}

}  // namespace

Status write_json(const std::string &path, const nlohmann::json &doc) {
    std::string text;
    try {
        text = doc.dump(2) + "\n";
    } catch (const nlohmann::json::exception &e) {  // a name that is not UTF-8
        return Status::failed(path + ": cannot be written as JSON: " + e.what());
    }
    return write_file_atomically(path, text);
}

nlohmann::json stats_json(const Stats &s) {
    return {{"mean", s.mean}, {"std", s.std}, {"min", s.min}, {"median", s.median}, {"p90", s.p90}};
}

nlohmann::json machine_json(Device device, int threads) {
    std::vector<std::string> built;
    for (Device d : built_devices()) built.push_back(device_name(d));
    return {{"cpu", cpu_model()},
            {"threads", threads > 0 ? threads : default_threads()},
            {"halide_version", PRCM_HALIDE_VERSION},
            {"cpu_target", cpu_target_selected()},
            {"cpu_target_forced", cpu_target_forced()},
            {"device", device_name(device)},
            {"devices_built", built}};
}

Status experiment_problems(const std::string &id, Device device, std::vector<Problem> *problems) {
    for (const Experiment &e : all_experiments()) {
        if (e.id != id) continue;
        if (!e.timed) return Status::error("experiment '" + id + "' times nothing (it counts parameters)");
        problems->clear();
        for (const Config &c : e.configs) {
            const Module *module = find_module(c.block.module);
            if (!module) continue;
            Problem p = make_problem(*module, device, c.shape);
            if (c.block.tweak) c.block.tweak(p.hp);
            problems->push_back(p);
        }
        return Status::ok();
    }
    std::string ids;
    for (const std::string &known : experiment_ids()) ids += (ids.empty() ? "" : ", ") + known;
    return Status::error("no experiment is named '" + printable(id) + "' (known: " + ids + ")");
}

std::vector<std::string> experiment_ids() {
    std::vector<std::string> ids;
    for (const Experiment &e : all_experiments()) ids.push_back(e.id);
    return ids;
}

int run_experiments(const ExperimentOptions &o) {
    std::vector<Device> devices;
    std::stringstream names(o.device);
    for (std::string name; std::getline(names, name, ',');) {
        Device d;
        if (!parse_device(name, &d)) {
            return report_error("bench", Status::error("unknown device '" + printable(name) + "' (known: cpu, opencl, cuda)"));
        }
        devices.push_back(d);
    }
    std::vector<Experiment> chosen;
    for (const Experiment &e : all_experiments())
        if (o.name == "all" || o.name == e.id) chosen.push_back(e);
    if (chosen.empty() && o.name != "schedules") {
        std::string ids;
        for (const std::string &id : experiment_ids()) ids += " " + id;
        return report_error("bench", Status::error("unknown experiment '" + printable(o.name) + "' (known:" + ids +
                                                   ", all, schedules)"));
    }
    if (Status s = check_outputs({o.json_path, o.csv_path}); !s) return report_error("bench", s);
    // A device that is not here is one line; the others still run.
    std::vector<Device> available;
    for (Device d : devices) {
        if (Status s = device_available(d); !s) {
            std::cout << device_name(d) << ": unavailable, skipped: " << s.message() << "\n";
        } else {
            available.push_back(d);
        }
    }
    if (available.empty()) return exit_unavailable;
    if (o.name == "schedules") return run_schedules(o, available);

    TimingOptions base = o.timing;
    if (base.threads > 0) set_cpu_threads(base.threads);
    size_t total = 0;
    for (const Experiment &e : chosen) total += e.timed ? e.configs.size() * available.size() : 0;
    Progress progress(total);
    std::cout << "machine: " << machine_line(available.front(), base.threads) << ", CPU target "
              << cpu_target_description() << "\n";
    // Which libraries run a tuning record's knobs (-DPRCM_TUNING) rather than the hand ones.
    for (Device device : available) {
        std::string tuned, record;
        for (const Module &m : modules()) {
            const Library *lib = m.library(device);
            if (!lib || !tuned_here(*lib)) continue;
            tuned += (tuned.empty() ? "" : ", ") + std::string(m.spec->name);
            record = lib->tuning.record;
        }
        std::cout << "schedules (" << device_name(device) << "): "
                  << (tuned.empty() ? std::string("hand") : "hand, but tuned by " + record + ": " + tuned) << "\n";
    }

    std::map<Device, std::map<std::string, std::vector<Row>>> results;
    nlohmann::json rows_json = nlohmann::json::array(), timing_json = nlohmann::json::object();
    int failures = 0, code = exit_ok;
    for (const Experiment &e : chosen) {
        std::cout << "\n=== " << e.id << ": " << e.title << "  [notebook " << e.source << "]\n";
        if (!e.timed) {
            run_params();
            continue;
        }
        for (Device device : available) {
            TimingOptions t = base;
            resolve_protocol(device, &t);
            timing_json[device_name(device)] = {{"warmup", t.warmup}, {"repeat", t.repeat}};
            std::vector<Row> &rows = results[device][e.id];
            for (const Config &c : e.configs) {
                Row r;
                r.config = &c;
                r.module = find_module(c.block.module);
                r.problem.device = device;
                progress.step(e.id, c.block.label + " " + shape_text(c.shape) + " " + device_name(device));
                if (!r.module) {
                    r.verdict = "NOT BUILT";
                    rows.push_back(std::move(r));
                    continue;
                }
                r.problem = make_problem(*r.module, device, c.shape);
                if (c.block.tweak) c.block.tweak(r.problem.hp);
                r.params = parameter_count(*r.module->spec, c.shape[1], r.problem.hp);
                measure_row(r, t);
                r.verdict = r.m.status ? verdict_name(r.m.verified.comparison.verdict) : "FAILED";
                if (!r.m.ok()) {
                    failures++;
                    code = std::max(code, exit_code(r.m));
                }
                rows.push_back(std::move(r));
            }
            progress.finish();
            std::cout << "-- " << device_name(device) << " (" << t.warmup << " warm-up / " << t.repeat
                      << " timed calls)\n";
            print_long_table(rows);
            std::set<std::string> parts;
            for (const Row &r : rows) parts.insert(r.config->part);
            for (const std::string &part : parts) print_pivot(e, rows, part);
            for (const Row &r : rows) {
                rows_json.push_back(row_json(e, r));
                if (!r.m.ok() && r.module) {
                    std::cout << "  " << r.verdict << " " << r.problem.replay() << ": "
                              << r.m.error() << "\n";
                }
            }
        }
    }

    nlohmann::json summary_json = nlohmann::json::array();
    for (const auto &[device, by_experiment] : results) {
        const std::vector<std::string> summary = summarize(by_experiment);
        if (summary.empty()) continue;
        std::cout << "\n=== summary on " << device_name(device) << " (derived from the measurements above)\n";
        for (const std::string &line : summary) {
            std::cout << "- " << line << "\n";
            summary_json.push_back(std::string(device_name(device)) + ": " + line);
        }
    }
    nlohmann::json params_json = nlohmann::json::array();
    for (const Module &m : modules()) {
        params_json.push_back({{"module", m.spec->name},
                               {"title", m.spec->title},
                               {"params_c64_defaults", parameter_count(*m.spec, 64, m.spec->defaults)}});
    }
    const nlohmann::json doc = {{"machine", machine_json(available.front(), base.threads)},
                                {"timing", timing_json},
                                {"experiments", [&] {
                                     std::vector<std::string> ids;
                                     for (const Experiment &e : chosen) ids.push_back(e.id);
                                     return ids;
                                 }()},
                                {"rows", rows_json},
                                {"parameter_counts", params_json},
                                {"summary", summary_json}};
    return finish_experiments(o, doc, failures, code);
}

}  // namespace prcm::cli
