#include "record.h"

#include "../experiments.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

namespace prcm::tune {

using nlohmann::json;

bool Confirmation::wins() const {
    if (!error.empty() || !grid_failures.empty() || grid_checked == 0 || rounds == 0 || ratio <= 0 ||
        ratio > kWinningRatio) {
        return false;
    }
    if (round_ratios.size() != static_cast<size_t>(rounds)) return false;
    for (double r : round_ratios)
        if (r <= 0 || r >= 1.0) return false;
    for (double r : problem_ratios)
        if (r <= 0 || r > 1.0) return false;
    for (const auto &[name, r] : class_ratios)
        if (r <= 0 || r > 1.0) return false;
    return true;
}

std::string Trial::search_key() const {
    std::string key = module + "|" + device + "|" + target + "|" + std::to_string(threads);
    for (const ProblemResult &r : results) key += "|" + r.problem;
    return key;
}

double Trial::ratio() const {
    if (status != "verified" || results.empty()) return 0;
    std::vector<double> ratios;
    for (const ProblemResult &r : results) {
        if (!r.verified || r.median_ms <= 0 || r.hand_median_ms <= 0) return 0;
        ratios.push_back(r.median_ms / r.hand_median_ms);
    }
    return cli::geometric_mean(ratios);
}

int Record::next_id() const {
    int id = 0;
    for (const Trial &t : trials) id = std::max(id, t.id);
    return id + 1;
}

std::vector<ClassWinner> class_winners(const Record &record) {
    std::map<std::tuple<std::string, std::string, std::string, std::string>, ClassWinner> best;
    for (const Trial &t : record.trials) {
        for (const ProblemResult &r : t.results) {
            auto key = std::make_tuple(t.module, t.device, t.target, r.shape_class);
            auto [it, inserted] = best.try_emplace(key, ClassWinner{t.module, t.device, t.target, r.shape_class});
            if (t.status != "verified" || !t.confirmation || !t.confirmation->wins()) continue;
            const auto c = t.confirmation->class_ratios.find(r.shape_class);
            if (c == t.confirmation->class_ratios.end() || c->second > kWinningRatio) continue;
            if (!it->second.trial || c->second < it->second.ratio) {
                it->second.trial = &t;
                it->second.ratio = c->second;
            }
        }
    }
    std::vector<ClassWinner> out;
    for (auto &[key, w] : best) out.push_back(w);
    return out;
}

std::vector<Applied> applied(const Record &record) {
    std::map<std::tuple<std::string, std::string, std::string>, Applied> best;
    for (const Trial &t : record.trials) {
        // Only a trial verified at every tuned problem, then over the whole grid, and
        // confirmed faster in every class: a rejected trial never gets here.
        if (t.status != "verified" || !t.confirmation || !t.confirmation->wins()) continue;
        auto key = std::make_tuple(t.module, t.device, t.target);
        auto it = best.find(key);
        if (it == best.end() || t.confirmation->ratio < it->second.ratio) {
            best[key] = Applied{t.module, t.device, t.target, t.pattern, t.knobs, t.id, t.confirmation->ratio};
        }
    }
    std::vector<Applied> out;
    for (auto &[key, a] : best) out.push_back(a);
    return out;
}

namespace {

json to_json(const Trial &t) {
    json results = json::array();
    for (const ProblemResult &r : t.results) {
        json j = {{"problem", r.problem},
                  {"shape", r.shape},
                  {"class", r.shape_class},
                  {"verified", r.verified},
                  {"max_abs_err", r.max_abs_err},
                  {"median_ms", r.median_ms},
                  {"hand_median_ms", r.hand_median_ms}};
        if (!r.error.empty()) j["error"] = r.error;
        results.push_back(j);
    }
    json j = {{"id", t.id},
              {"module", t.module},
              {"device", t.device},
              {"target", t.target},
              {"device_model", t.device_model},
              {"threads", t.threads},
              {"pattern", t.pattern},
              {"knobs", t.knobs},
              {"origin", t.origin},
              {"status", t.status},
              {"build_seconds", t.build_seconds},
              {"time", t.time},
              {"results", results}};
    if (!t.error.empty()) j["error"] = t.error;
    if (!t.code.empty()) j["code"] = t.code;
    const double ratio = t.ratio();
    if (ratio > 0) j["ratio"] = ratio;
    if (t.confirmation) {
        const Confirmation &c = *t.confirmation;
        j["confirmation"] = {{"grid_checked", c.grid_checked},
                             {"grid_failures", c.grid_failures},
                             {"rounds", c.rounds},
                             {"ratio", c.ratio},
                             {"class_ratios", c.class_ratios},
                             {"round_ratios", c.round_ratios},
                             {"problem_ratios", c.problem_ratios},
                             {"wins", c.wins()}};
        if (!c.error.empty()) j["confirmation"]["error"] = c.error;
    }
    return j;
}

// Reading: every field is checked for its presence and its type, and an error
// names the trial and the field.
class Reader {
public:
    Reader(const json &j, std::string where) : j_(j), where_(std::move(where)) {}
    template <typename T>
    T get(const char *field) const {
        if (!j_.is_object() || !j_.contains(field)) throw std::runtime_error(where_ + ": '" + field + "' is missing");
        try {
            return j_.at(field).get<T>();
        } catch (const json::exception &) {
            throw std::runtime_error(where_ + ": '" + field + "' is not " + kind<T>());
        }
    }
    template <typename T>
    T get_or(const char *field, T fallback) const {
        return j_.is_object() && j_.contains(field) ? get<T>(field) : fallback;
    }

private:
    template <typename T>
    static const char *kind() {
        if constexpr (std::is_same_v<T, std::string>)
            return "a string";
        else if constexpr (std::is_same_v<T, bool>)
            return "true or false";
        else if constexpr (std::is_arithmetic_v<T>)
            return "a number";
        else
            return "of the right kind";
    }
    const json &j_;
    std::string where_;
};

Trial trial_from_json(const json &j, size_t index) {
    const std::string where = "trial " + std::to_string(index + 1);
    if (!j.is_object()) throw std::runtime_error(where + " is not an object");
    Reader r(j, where);
    Trial t;
    t.id = r.get<int>("id");
    t.module = r.get<std::string>("module");
    t.device = r.get<std::string>("device");
    t.target = r.get<std::string>("target");
    t.device_model = r.get<std::string>("device_model");
    t.threads = r.get<int>("threads");
    t.pattern = r.get<std::string>("pattern");
    t.knobs = r.get<std::string>("knobs");
    t.origin = r.get<std::string>("origin");
    t.status = r.get<std::string>("status");
    if (t.status != "verified" && t.status != "rejected" && t.status != "not built" && t.status != "same code") {
        throw std::runtime_error(where + ": status '" + t.status +
                                 "' is not verified, rejected, not built or same code");
    }
    t.error = r.get_or<std::string>("error", "");
    t.code = r.get_or<std::string>("code", "");
    t.build_seconds = r.get<double>("build_seconds");
    t.time = r.get<std::string>("time");
    const json results = r.get<json>("results");
    if (!results.is_array()) throw std::runtime_error(where + ": 'results' is not a list");
    for (size_t i = 0; i < results.size(); i++) {
        Reader p(results[i], where + ", result " + std::to_string(i + 1));
        ProblemResult pr;
        pr.problem = p.get<std::string>("problem");
        pr.shape = p.get<TorchShape>("shape");
        pr.shape_class = p.get<std::string>("class");
        pr.verified = p.get<bool>("verified");
        pr.error = p.get_or<std::string>("error", "");
        pr.max_abs_err = p.get<double>("max_abs_err");
        pr.median_ms = p.get<double>("median_ms");
        pr.hand_median_ms = p.get<double>("hand_median_ms");
        t.results.push_back(pr);
    }
    if (j.contains("confirmation")) {
        Reader c(j.at("confirmation"), where + ", confirmation");
        Confirmation conf;
        conf.grid_checked = c.get<int>("grid_checked");
        conf.grid_failures = c.get<std::vector<std::string>>("grid_failures");
        conf.rounds = c.get<int>("rounds");
        conf.ratio = c.get<double>("ratio");
        conf.class_ratios = c.get<std::map<std::string, double>>("class_ratios");
        conf.round_ratios = c.get_or<std::vector<double>>("round_ratios", {});
        conf.problem_ratios = c.get_or<std::vector<double>>("problem_ratios", {});
        conf.error = c.get_or<std::string>("error", "");
        t.confirmation = conf;
    }
    return t;
}

}  // namespace

Status read_record(const std::string &path, Record *record) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::error(path + ": cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    json doc;
    try {
        doc = json::parse(text.str());
    } catch (const json::exception &e) {
        return Status::error(path + ": not a tuning record: not valid JSON (" + e.what() + ")");
    }
    if (!doc.is_object() || doc.value("format", "") != kRecordFormat) {
        return Status::error(path + ": not a tuning record (its \"format\" is not \"" + kRecordFormat + "\")");
    }
    if (!doc.contains("version") || !doc["version"].is_number_integer() ||
        doc["version"].get<int>() != kRecordVersion) {
        return Status::error(path + ": a tuning record of another version (this prcm reads version " +
                             std::to_string(kRecordVersion) + ")");
    }
    if (!doc.contains("trials") || !doc["trials"].is_array())
        return Status::error(path + ": 'trials' is missing or not a list");
    Record r;
    std::set<int> ids;
    try {
        for (size_t i = 0; i < doc["trials"].size(); i++) {
            r.trials.push_back(trial_from_json(doc["trials"][i], i));
            if (!ids.insert(r.trials.back().id).second) {
                throw std::runtime_error("trial " + std::to_string(i + 1) + ": id " +
                                         std::to_string(r.trials.back().id) + " is used twice");
            }
        }
    } catch (const std::exception &e) {
        return Status::error(path + ": " + e.what());
    }
    *record = std::move(r);
    return Status::ok();
}

Status write_record(const std::string &path, const Record &record) {
    json trials = json::array();
    for (const Trial &t : record.trials) trials.push_back(to_json(t));
    json winners = json::array();
    for (const ClassWinner &w : class_winners(record)) {
        json j = {{"module", w.module}, {"device", w.device}, {"target", w.target}, {"class", w.shape_class}};
        if (w.trial) {
            j["schedule"] = "tuned";
            j["trial"] = w.trial->id;
            j["knobs"] = w.trial->knobs;
            j["ratio"] = w.ratio;
        } else {
            j["schedule"] = "hand";
        }
        winners.push_back(j);
    }
    json apply = json::array();
    for (const Applied &a : applied(record)) {
        apply.push_back({{"module", a.module},
                         {"device", a.device},
                         {"target", a.target},
                         {"pattern", a.pattern},
                         {"knobs", a.knobs},
                         {"trial", a.trial},
                         {"ratio", a.ratio}});
    }
    return cli::write_json(path, {{"format", kRecordFormat},
                                  {"version", kRecordVersion},
                                  {"apply", apply},
                                  {"winners", winners},
                                  {"trials", trials}});
}

}  // namespace prcm::tune
