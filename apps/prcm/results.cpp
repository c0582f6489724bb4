#include "results.h"

#include "prcm/files.h"
#include "prcm/run.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

namespace prcm::cli {

using nlohmann::json;

std::string hyper_text(const json &hyper, const std::string &separator) {
    std::string out;
    for (const auto &[name, value] : hyper.items()) out += (out.empty() ? "" : separator) + name + "=" + value.dump();
    return out;
}

json stats_json(const Stats &s) {
    return {{"mean", s.mean}, {"std", s.std}, {"min", s.min}, {"median", s.median}, {"p90", s.p90}};
}

json result_row_json(const ResultRow &r) {
    const Problem &p = r.problem;
    json hyper = json::object();
    if (r.module) {
        for (const HyperParamInfo &h : hyper_param_table())
            if (r.module->spec->uses & h.use) hyper[h.name] = p.hp.*h.field;
    }
    json verification = {{"verdict", r.verdict}};
    if (r.max_abs_err) verification["max_abs_err"] = *r.max_abs_err;
    json j = {{"experiment", r.experiment},
              {"part", r.part},
              {"block", r.block},
              {"sweep", r.sweep},
              {"sweep_value", r.sweep_value},
              {"module", r.module ? r.module->spec->name : r.block},
              {"hyper_parameters", hyper},
              {"shape", p.shape},
              {"device", device_name(p.device)},
              {"schedule", p.schedule},
              {"verification", verification},
              {"calls", {{"warmup", r.warmup}, {"repeat", r.repeat}}},
              {"params", r.params}};
    if (r.module) {
        if (const Library *lib = r.module->library(p.device, p.schedule)) j["schedule_in_use"] = schedule_in_use(*lib);
        if (r.seeded) j["replay"] = p.replay();
    }
    if (r.latency) j["latency_ms"] = stats_json(*r.latency);
    if (r.copy) j["copy_ms"] = stats_json(*r.copy);
    if (r.latency && r.copy) j["ratio_to_copy"] = r.latency->median / r.copy->median;
    if (r.latency && r.untuned) {
        j["untuned_ms"] = stats_json(*r.untuned);
        j["ratio_to_untuned"] = r.latency->median / r.untuned->median;
    }
    if (!r.error.empty()) j["error"] = r.error;
    j.update(r.extra);
    return j;
}

json results_json(const json &context, const std::vector<json> &rows, const std::vector<std::string> &experiments,
                  const std::vector<std::string> &summary, const json &extra) {
    json doc = {{"format", kResultsFormat},
                {"version", kResultsVersion},
                {"context", context},
                {"experiments", experiments},
                {"rows", rows},
                {"summary", summary}};
    doc.update(extra);
    return doc;
}

Status write_json(const std::string &path, const json &doc) {
    std::string text;
    try {
        text = doc.dump(2) + "\n";
    } catch (const json::exception &e) {  // a name that is not UTF-8
        return Status::failed(path + ": cannot be written as JSON: " + e.what());
    }
    return write_file_atomically(path, text);
}

namespace {

std::string csv_field(const json &v) {
    if (v.is_null()) return "";
    if (v.is_number_float()) {
        std::ostringstream out;
        out.precision(9);
        out << v.get<double>();
        return out.str();
    }
    if (!v.is_string()) return v.dump();
    std::string s = v.get<std::string>(), out = "\"";
    for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return out + "\"";
}

const json kNull;
const json &field(const json &j, const char *key) { return j.contains(key) ? j.at(key) : kNull; }

}  // namespace

std::string results_csv(const json &doc) {
    std::ostringstream out;
    out << "experiment,part,block,module,hyper_parameters,shape,device,schedule,verdict,max_abs_err,warmup,repeat,"
           "params,mean_ms,std_ms,min_ms,median_ms,p90_ms,copy_median_ms,ratio_to_copy,date,git_commit,cpu,threads,"
           "halide_version,cpu_target\n";
    const json &c = doc.at("context");
    for (const json &r : doc.at("rows")) {
        const json &v = r.at("verification"), &calls = r.at("calls");
        out << csv_field(r.at("experiment")) << "," << csv_field(r.at("part")) << "," << csv_field(r.at("block")) << ","
            << csv_field(r.at("module")) << "," << csv_field(hyper_text(r.at("hyper_parameters"), " ")) << ","
            << shape_text(r.at("shape").get<TorchShape>()) << "," << csv_field(r.at("device")) << ","
            << csv_field(r.at("schedule")) << "," << csv_field(v.at("verdict")) << ","
            << csv_field(field(v, "max_abs_err")) << "," << calls.at("warmup").dump() << ","
            << calls.at("repeat").dump() << "," << r.at("params").dump();
        const json &l = field(r, "latency_ms");
        for (const char *k : {"mean", "std", "min", "median", "p90"}) out << "," << csv_field(field(l, k));
        out << "," << csv_field(field(field(r, "copy_ms"), "median")) << "," << csv_field(field(r, "ratio_to_copy"));
        for (const char *k : {"date", "git_commit", "cpu", "threads", "halide_version", "cpu_target"})
            out << "," << csv_field(field(c, k));
        out << "\n";
    }
    return out.str();
}

json results_gbench(const json &doc) {
    const json &c = doc.at("context");
    json context = c;  // Google Benchmark's keys (date, host_name, num_cpus, library_build_type) are among ours
    context["executable"] = c.value("command", "prcm");
    json benchmarks = json::array();
    for (const json &r : doc.at("rows")) {
        if (!r.contains("latency_ms")) continue;
        std::string name = r.at("module").get<std::string>();
        if (!r.at("experiment").get<std::string>().empty())
            name = r.at("experiment").get<std::string>() + "/" + r.at("block").get<std::string>();
        name += "/" + shape_text(r.at("shape").get<TorchShape>()) + "/" + r.at("device").get<std::string>();
        const std::string hyper = hyper_text(r.at("hyper_parameters"), " ");
        if (!hyper.empty()) name += "/" + hyper;
        if (r.at("schedule") != kHandSchedule) name += "/" + r.at("schedule").get<std::string>();
        // In µs: compare.py prints whole units, and these calls take from 1 µs to 100 ms.
        const double median_us = 1000 * r.at("latency_ms").at("median").get<double>();
        benchmarks.push_back({{"name", name},
                              {"run_name", name},
                              {"run_type", "iteration"},
                              {"repetitions", 1},
                              {"repetition_index", 0},
                              {"threads", c.value("threads", 1)},
                              {"iterations", r.at("calls").at("repeat")},
                              {"real_time", median_us},
                              {"cpu_time", median_us},
                              {"time_unit", "us"}});
    }
    return {{"context", context}, {"benchmarks", benchmarks}};
}

Status write_results(const json &doc, const std::string &json_path, const std::string &csv_path) {
    if (!json_path.empty()) {
        if (Status s = write_json(json_path, doc); !s) return s;
        std::cout << "wrote " << printable(json_path) << "\n";
    }
    if (!csv_path.empty()) {
        if (Status s = write_file_atomically(csv_path, results_csv(doc)); !s) return s;
        std::cout << "wrote " << printable(csv_path) << "\n";
    }
    return Status::ok();
}

namespace {

// A version-1 row (an experiment's) in version 2's layout.
json row_from_v1(json r, const json &timing) {
    json v = {{"verdict", r.value("verdict", "PASSED")}};
    if (r.contains("max_abs_err")) v["max_abs_err"] = r.at("max_abs_err");
    r["verification"] = v;
    r["hyper_parameters"] = json::object();  // version 1 kept them only as flags
    if (!r.contains("schedule")) r["schedule"] = kHandSchedule;
    if (!r.contains("params")) r["params"] = -1;
    for (const char *k : {"experiment", "part", "block", "sweep"})
        if (!r.contains(k)) r[k] = "";
    if (!r.contains("sweep_value")) r["sweep_value"] = 0;
    const json &t = timing.contains(r.value("device", "cpu")) ? timing.at(r.value("device", "cpu")) : timing;
    r["calls"] = {{"warmup", t.value("warmup", 0)}, {"repeat", t.value("repeat", 0)}};
    return r;
}

json from_v1(const json &old) {
    json context = old.value("machine", json::object());
    json rows = json::array();
    const json timing = old.value("timing", json::object());
    if (old.contains("rows")) {  // an experiment's
        for (const json &r : old.at("rows")) rows.push_back(row_from_v1(r, timing));
    } else {  // `bench --module`'s or `run`'s: the document is the row
        json r = old;
        r.erase("machine");
        r.erase("timing");
        r["device"] = context.value("device", "cpu");
        if (!r.contains("max_abs_err")) r["verdict"] = "NOT CHECKED";
        rows.push_back(row_from_v1(r, timing));
    }
    return {{"format", kResultsFormat},     {"version", 1}, {"context", context},
            {"experiments", json::array()}, {"rows", rows}, {"summary", old.value("summary", json::array())}};
}

}  // namespace

Status read_results(const std::string &path, json *doc) {
    std::ifstream in(path);
    if (!in) return Status::error("cannot open " + printable(path) + ": " + std::strerror(errno));
    const std::string what = printable(path) + " is not a prcm results file (`bench --json`, `run --json`)";
    try {
        json j = json::parse(in);
        if (!j.is_object()) throw std::runtime_error("not a JSON object");
        if (!j.contains("format")) {
            j = from_v1(j);
        } else if (j.at("format") != kResultsFormat) {
            throw std::runtime_error("its format is " + j.at("format").dump());
        } else if (!j.at("version").is_number_integer() || j.at("version").get<int>() > kResultsVersion) {
            throw std::runtime_error("version " + j.at("version").dump() + ", newer than this prcm reads (" +
                                     std::to_string(kResultsVersion) + ")");
        }
        // Every field the readers use, of the type written: refused here, not met later.
        const json &context = j.at("context");
        if (!context.is_object()) throw std::runtime_error("its context is not an object");
        for (const char *k : {"date", "prcm_version", "git_commit", "build_type", "halide_version", "host_name", "cpu",
                              "cpu_target", "command"})
            if (context.contains(k)) (void)context.at(k).get<std::string>();
        for (const char *k : {"threads", "num_cpus"})
            if (context.contains(k)) (void)context.at(k).get<int>();
        for (const char *k : {"git_dirty", "cpu_target_forced"})
            if (context.contains(k)) (void)context.at(k).get<bool>();
        for (const json &r : j.at("rows")) {
            for (const char *k : {"experiment", "part", "block", "module", "device", "schedule", "sweep"})
                (void)r.at(k).get<std::string>();
            (void)r.at("sweep_value").get<double>();
            (void)r.at("verification").at("verdict").get<std::string>();
            for (const json &e : r.at("shape")) {
                const long long extent = e.get<long long>();
                if (extent < 1 || extent > INT32_MAX) throw std::runtime_error("a shape extent of " + e.dump());
            }
            (void)r.at("calls").at("repeat").get<long long>();
            if (r.contains("latency_ms")) {
                for (const char *k : {"mean", "std", "min", "median", "p90"})
                    (void)r.at("latency_ms").at(k).get<double>();
                if (r.contains("copy_ms")) (void)r.at("copy_ms").at("median").get<double>();
            }
        }
        for (const json &line : j.at("summary")) (void)line.get<std::string>();
        *doc = std::move(j);
    } catch (const std::exception &e) {
        return Status::error(what + ": " + printable(e.what()));
    }
    return Status::ok();
}

}  // namespace prcm::cli
