// `prcm bench EXPERIMENT|all`: the catalogue's experiments, each configuration verified
// and timed beside the copy floor, printed as the notebooks' tables with a summary.
#include "experiments.h"

#include "prcm/files.h"
#include "prcm/run.h"

#include <iostream>
#include <set>
#include <sstream>

namespace prcm::cli {

namespace {

// Measures a row's problem; where a tuning record tunes its library (and this process
// runs the target it was tuned for), the untuned twin too, call by call in turn with it.
void measure_row(Row &r, const TimingOptions &t) {
    const Library *lib = r.module->library(r.problem.device, r.problem.schedule);
    r.warmup = t.warmup;
    r.repeat = t.repeat;
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

// The devices of a --device list, or what is wrong with it.
Status parse_devices(const std::string &list, std::vector<Device> *devices) {
    std::stringstream names(list);
    for (std::string name; std::getline(names, name, ',');) {
        Device d;
        if (!parse_device(name, &d))
            return Status::error("unknown device '" + printable(name) + "' (known: cpu, opencl, cuda)");
        devices->push_back(d);
    }
    return Status::ok();
}

// Every configuration of `e` on `device`, measured in order.
std::vector<Row> run_experiment(const Experiment &e, Device device, const TimingOptions &t, Progress &progress,
                                int &failures, int &code) {
    std::vector<Row> rows;
    for (const Config &c : e.configs) {
        Row r;
        r.config = &c;
        r.module = find_module(c.module);
        r.problem.device = device;
        r.problem.shape = c.shape;
        progress.step(e.id, c.label + " " + shape_text(c.shape) + " " + device_name(device));
        if (!r.module) {
            r.verdict = "NOT BUILT";
            rows.push_back(std::move(r));
            continue;
        }
        r.problem = make_problem(*r.module, device, c.shape);
        c.apply(r.problem.hp);
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
    return rows;
}

}  // namespace

ResultRow result_of(const std::string &experiment, const Row &r) {
    ResultRow out;
    out.experiment = experiment;
    out.part = r.config->part;
    out.block = r.config->label;
    out.sweep = r.config->sweep;
    out.sweep_value = r.config->sweep_value;
    out.module = r.module;
    out.problem = r.problem;
    out.problem.schedule = r.config->schedule;
    out.verdict = r.verdict;
    out.warmup = r.warmup;
    out.repeat = r.repeat;
    out.params = r.params;
    if (r.module && r.m.verified.comparison.verdict != Verdict::skipped)
        out.max_abs_err = r.m.verified.comparison.max_abs;
    if (r.measured()) {
        out.latency = r.m.block;
        out.copy = r.m.copy;
        out.untuned = r.untuned;
    } else if (r.module) {
        out.error = r.m.error();
    }
    return out;
}

int finish_experiments(const ExperimentOptions &o, const nlohmann::json &doc, int failures, int code) {
    if (!o.json_path.empty() || !o.csv_path.empty()) std::cout << "\n";
    if (Status s = write_results(doc, o.json_path, o.csv_path); !s) return report_error("bench", s);
    if (failures) std::cout << failures << " configuration(s) FAILED\n";
    return failures ? code : exit_ok;
}

int run_experiments(const ExperimentOptions &o) {
    std::vector<Device> devices;
    if (Status s = parse_devices(o.device, &devices); !s) return report_error("bench", s);
    std::vector<const Experiment *> chosen;
    for (const Experiment &e : all_experiments())
        if (o.name == "all" || o.name == e.id) chosen.push_back(&e);
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
    for (const Experiment *e : chosen) total += e->timed ? e->configs.size() * available.size() : 0;
    Progress progress(total);
    std::cout << "machine: " << machine_line(available.front(), base.threads) << ", CPU target "
              << cpu_target_description() << "\n";
    // Which libraries run a tuning record's knobs (-DPRCM_TUNING) rather than the hand ones.
    for (Device device : available)
        std::cout << "schedules (" << device_name(device) << "): " << schedules_in_use(device) << "\n";

    std::map<Device, std::map<std::string, std::vector<Row>>> results;
    std::vector<nlohmann::json> rows_json;
    int failures = 0, code = exit_ok;
    for (const Experiment *e : chosen) {
        std::cout << "\n=== " << e->id << ": " << e->title << "  [notebook " << e->source << "]\n";
        if (!e->timed) {
            run_params();
            continue;
        }
        for (Device device : available) {
            TimingOptions t = base;
            resolve_protocol(device, &t);
            std::vector<Row> &rows = results[device][e->id];
            rows = run_experiment(*e, device, t, progress, failures, code);
            std::cout << "-- " << device_name(device) << " (" << t.warmup << " warm-up / " << t.repeat
                      << " timed calls)\n";
            print_long_table(rows);
            std::set<std::string> parts;
            for (const Row &r : rows) parts.insert(r.config->part);
            for (const std::string &part : parts) print_pivot(*e, rows, part);
            for (const Row &r : rows) {
                rows_json.push_back(result_row_json(result_of(e->id, r)));
                if (!r.m.ok() && r.module)
                    std::cout << "  " << r.verdict << " " << r.problem.replay() << ": " << r.m.error() << "\n";
            }
        }
    }

    std::vector<std::string> summary_lines;
    for (const auto &[device, by_experiment] : results) {
        const std::vector<std::string> summary = summarize(by_experiment);
        if (summary.empty()) continue;
        std::cout << "\n=== summary on " << device_name(device) << " (derived from the measurements above)\n";
        for (const std::string &line : summary) {
            std::cout << "- " << line << "\n";
            summary_lines.push_back(std::string(device_name(device)) + ": " + line);
        }
    }
    nlohmann::json params_json = nlohmann::json::array();
    for (const Module &m : modules()) {
        params_json.push_back({{"module", m.spec->name},
                               {"title", m.spec->title},
                               {"params_c64_defaults", parameter_count(*m.spec, 64, m.spec->defaults)}});
    }
    std::vector<std::string> ids;
    for (const Experiment *e : chosen) ids.push_back(e->id);
    const nlohmann::json doc = results_json(context_json(available, base.threads), rows_json, ids, summary_lines,
                                            {{"parameter_counts", params_json}});
    return finish_experiments(o, doc, failures, code);
}

}  // namespace prcm::cli
