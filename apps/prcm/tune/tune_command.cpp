#include "tune.h"

#include "builder.h"
#include "knob_space.h"
#include "record.h"
#include "runner.h"

#include "../experiments.h"

#include "prcm/files.h"

#include <nlohmann/json.hpp>

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace prcm::cli {

namespace {

using namespace prcm::tune;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

// "90s", "10m", "1h", "1h30m", or seconds.
bool parse_budget(const std::string &text, double *seconds) {
    if (text.empty()) return false;
    double total = 0;
    size_t i = 0;
    while (i < text.size()) {
        size_t digits = i;
        while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.')) digits++;
        if (digits == i) return false;
        double value = 0;
        try {
            value = std::stod(text.substr(i, digits - i));
        } catch (const std::exception &) {
            return false;
        }
        double unit = 1;
        if (digits < text.size()) {
            const char u = text[digits++];
            unit = u == 'h' ? 3600 : u == 'm' ? 60 : u == 's' ? 1 : 0;
            if (unit == 0) return false;
        } else if (i != 0) {
            return false;  // "1m30": a unit for every number after the first
        }
        total += value * unit;
        i = digits;
    }
    *seconds = total;
    return total > 0 && total <= 7 * 24 * 3600;
}

std::string format_duration(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    return buf;
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string problem_key(const Problem &p) { return shape_text(p.shape) + hyper_flags(*p.module->spec, p.hp); }

// The GPU's own name, asked of its driver; the CPU model on the CPU.
std::string device_model(Device d) {
    if (d == Device::cpu) return cpu_model();
    char name[256] = {0};
    if (d == Device::cuda) {
        if (void *lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL)) {
            auto init = reinterpret_cast<int (*)(unsigned)>(dlsym(lib, "cuInit"));
            auto get = reinterpret_cast<int (*)(int *, int)>(dlsym(lib, "cuDeviceGet"));
            auto get_name = reinterpret_cast<int (*)(char *, int, int)>(dlsym(lib, "cuDeviceGetName"));
            int dev = 0;
            if (init && get && get_name && init(0) == 0 && get(&dev, 0) == 0 && get_name(name, sizeof name - 1, dev) == 0) {
                return name;
            }
        }
        return "a CUDA GPU";
    }
    void *lib = dlopen("libOpenCL.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (lib) {
        auto platforms = reinterpret_cast<int (*)(unsigned, void **, unsigned *)>(dlsym(lib, "clGetPlatformIDs"));
        auto devices = reinterpret_cast<int (*)(void *, unsigned long, unsigned, void **, unsigned *)>(dlsym(lib, "clGetDeviceIDs"));
        auto info = reinterpret_cast<int (*)(void *, unsigned, size_t, void *, size_t *)>(dlsym(lib, "clGetDeviceInfo"));
        void *platform = nullptr, *device = nullptr;
        constexpr unsigned long kAllDevices = 0xFFFFFFFF;
        constexpr unsigned kDeviceName = 0x102B;
        if (platforms && devices && info && platforms(1, &platform, nullptr) == 0 &&
            devices(platform, kAllDevices, 1, &device, nullptr) == 0 && info(device, kDeviceName, sizeof name - 1, name, nullptr) == 0) {
            return std::string("OpenCL: ") + name;
        }
    }
    return "an OpenCL device";
}

// tuning/<cpu model in lower case, words joined by '-'>.json
std::string default_record_path() {
    std::string slug;
    for (char c : cpu_model()) {
        if (std::isalnum(static_cast<unsigned char>(c))) slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        else if (!slug.empty() && slug.back() != '-') slug += '-';
    }
    while (!slug.empty() && slug.back() == '-') slug.pop_back();
    return "tuning/" + (slug.empty() ? std::string("machine") : slug) + ".json";
}

std::string device_target(Device d, const std::string &cpu_target) {
    switch (d) {
    case Device::cpu: return cpu_target;
    case Device::opencl: return PRCM_OPENCL_TARGET;
    case Device::cuda: return PRCM_CUDA_TARGET;
    }
    return "";
}

// What one module's search works with.
struct Search {
    const Module *module = nullptr;
    std::vector<Problem> problems;
};

// The problems of each module, in the order of the experiment or the list, each once.
Status tuned_problems(const TuneOptions &o, Device device, std::vector<Search> *searches) {
    // --module: resolved as every command resolves it (an unknown name lists the known).
    const Module *only = nullptr;
    if (!o.all) {
        ProblemOptions po;
        po.module = o.module;
        Problem p;
        if (Status s = make_problem(po, &p); !s) return s;
        only = p.module;
    }
    std::vector<Problem> problems;
    if (o.shapes.find(',') != std::string::npos) {  // N,C,H,W[;N,C,H,W...]
        std::vector<const Module *> chosen{only};
        if (o.all) {
            chosen.clear();
            for (const Module &m : modules()) chosen.push_back(&m);
        }
        std::stringstream list(o.shapes);
        for (std::string shape; std::getline(list, shape, ';');) {
            for (const Module *m : chosen) {
                ProblemOptions po;
                po.module = m->spec->name;
                po.shape = shape;
                po.device = device_name(device);
                Problem p;
                if (Status s = make_problem(po, &p); !s) return s.prefixed("--shapes: ");
                problems.push_back(p);
            }
        }
    } else {
        if (Status s = experiment_problems(o.shapes, device, &problems); !s) return s.prefixed("--shapes: ");
        if (only) {
            std::vector<Problem> mine;
            for (const Problem &p : problems)
                if (p.module == only) mine.push_back(p);
            if (mine.empty()) {
                return Status::error("--shapes: experiment '" + o.shapes + "' has no configuration of " +
                                     only->spec->name + "; give shapes instead (--shapes 1,64,64,64)");
            }
            problems = mine;
        }
    }
    for (const Problem &p : problems) {
        if (Status s = check_problem_size(p); !s) return s.prefixed("--shapes: ");
        auto it = std::find_if(searches->begin(), searches->end(), [&](const Search &s) { return s.module == p.module; });
        if (it == searches->end()) {
            searches->push_back({p.module, {}});
            it = searches->end() - 1;
        }
        const bool seen = std::any_of(it->problems.begin(), it->problems.end(),
                                      [&](const Problem &q) { return problem_key(q) == problem_key(p); });
        if (!seen) it->problems.push_back(p);
    }
    return Status::ok();
}

class Tuner {
public:
    Tuner(const TuneOptions &o, Device device, std::string target, std::string out, std::string work, Record &record,
          Builder &builder, Runner &runner, int batch_size, int threads)
        : device_(device), target_(std::move(target)), out_(std::move(out)), work_(std::move(work)), shapes_(o.shapes),
          record_(record), builder_(builder), runner_(runner), batch_size_(batch_size), threads_(threads), rng_(o.seed),
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

Trial Tuner::new_trial(const Search &search, const std::vector<std::string> &classes, const std::string &knobs,
                       const std::string &origin) const {
    Trial t;
    t.id = record_.next_id();
    t.module = search.module->spec->name;
    t.device = device_name(device_);
    t.target = target_;
    t.device_model = model_;
    t.threads = threads_;
    t.pattern = pattern_;
    t.knobs = knobs;
    t.origin = origin;
    t.time = utc_now();
    for (size_t i = 0; i < search.problems.size(); i++) {
        ProblemResult r;
        r.problem = problem_key(search.problems[i]);
        r.shape = search.problems[i].shape;
        r.shape_class = classes[i];
        t.results.push_back(r);
    }
    return t;
}

void Tuner::save() {
    if (Status s = write_record(out_, record_); !s) {
        std::fprintf(stderr, "\nprcm tune: %s\n", s.message().c_str());
    }
}

void Tuner::progress(const std::string &label, const std::string &key, Clock::time_point deadline) {
    int trials = 0, rejected = 0, same = 0;
    double best = 0;
    for (const Trial &t : record_.trials) {
        if (t.search_key() != key) continue;
        trials++;
        if (t.failed()) rejected++;
        if (t.status == "same code") same++;
        if (t.ratio() > 0 && (best == 0 || t.ratio() < best)) best = t.ratio();
    }
    const double left = std::chrono::duration<double>(deadline - Clock::now()).count();
    // One line rewritten on a terminal; a line per batch in a log.
    static const bool terminal = isatty(STDERR_FILENO);
    std::fprintf(stderr, "%s[tune %s] %d trials, %d rejected, %d same code, best %s hand (screening), %s left%s",
                 terminal ? "\r" : "", label.c_str(), trials, rejected, same, best > 0 ? ratio_string(best, 1).c_str() : "-",
                 format_duration(left).c_str(), terminal ? "   " : "\n");
    std::fflush(stderr);
    stderr_mid_line = terminal;
}

bool Tuner::tune(const Search &search, Clock::time_point deadline, const std::string &label, std::string *error) {
    const std::string name = search.module->spec->name;
    loaded_.clear();
    // The hand schedule, built the same way as the candidates: the baseline of every timing.
    const BuildRequest hand_request = request(name, "");
    const BuildResult hand_build = builder_.build({hand_request}).front();
    LoadedLibrary hand = load_built(*search.module, device_, hand_request, hand_build);
    if (!hand.ok()) {
        *error = name + ": the hand schedule did not build or load: " + hand.error;
        return false;
    }
    pattern_ = hand_build.pattern;
    const KnobSpace space(pattern_, hand_build.knobs);
    std::vector<std::string> classes;
    for (const Problem &p : search.problems) classes.push_back(shape_class(space, p));

    const std::string key = new_trial(search, classes, "", "").search_key();
    std::set<std::string> tried;
    // Code already timed (or the hand schedule's), by the builder's hash: different
    // knobs often generate the same code, and timing it again only draws noise.
    std::map<std::string, std::string> code_owner;
    if (!hand_build.code.empty()) code_owner[hand_build.code] = "the hand schedule";
    const Trial *best = nullptr;
    auto update_best = [&] {
        best = nullptr;
        for (const Trial &t : record_.trials) {
            if (t.search_key() != key) continue;
            tried.insert(t.knobs);
            if (!t.code.empty() && t.status != "same code" && t.status != "not built" && t.origin != "hand") {
                code_owner.try_emplace(t.code, "trial " + std::to_string(t.id));
            }
            if (t.ratio() > 0 && (!best || t.ratio() < best->ratio())) best = &t;
        }
    };
    update_best();
    const std::string hand_knobs = format_knob_values(space.hand());
    // The search stops early enough to confirm its best candidates before the
    // deadline, then goes on while time is left.
    auto search_deadline = Clock::now() + (deadline - Clock::now()) * 4 / 5;
    double last_batch = 0;
    bool exhausted = false;
    for (int batch_index = 0; !exhausted; batch_index++) {
        const double left = std::chrono::duration<double>(search_deadline - Clock::now()).count();
        if (left <= 0 || (batch_index > 0 && left < last_batch)) {
            confirm(search, hand, classes, key, deadline);
            const double after = std::chrono::duration<double>(deadline - Clock::now()).count();
            if (after < 2 * std::max(last_batch, 1.0)) break;
            search_deadline = Clock::now() + (deadline - Clock::now()) * 4 / 5;
            continue;
        }
        const auto batch_start = Clock::now();
        // Start from the hand defaults (the noise floor), then random draws, then
        // mostly moves around the best so far.
        std::vector<std::pair<std::string, std::string>> batch;  // knobs, origin
        std::set<std::string> in_batch;
        if (!tried.count(hand_knobs)) {
            batch.push_back({hand_knobs, "hand"});
            in_batch.insert(hand_knobs);
        }
        std::bernoulli_distribution local(0.7);
        for (int attempt = 0; static_cast<int>(batch.size()) < batch_size_ && attempt < 200; attempt++) {
            const bool move = best && local(rng_);
            const KnobValues c = move ? space.neighbour(parse_knob_values(best->knobs), rng_) : space.sample(rng_);
            if (c.empty()) continue;
            const std::string knobs = format_knob_values(c);
            if (tried.count(knobs) || in_batch.count(knobs)) continue;
            batch.push_back({knobs, move ? "local" : "random"});
            in_batch.insert(knobs);
        }
        if (batch.empty()) {
            exhausted = true;  // every candidate the space gives has been tried
            break;
        }
        std::vector<BuildRequest> requests;
        for (const auto &[knobs, origin] : batch) requests.push_back(request(name, knobs));
        const std::vector<BuildResult> builds = builder_.build(requests);
        std::vector<Trial> trials;
        std::vector<LoadedLibrary> libraries;
        std::vector<size_t> runnable;
        for (size_t i = 0; i < batch.size(); i++) {
            Trial t = new_trial(search, classes, batch[i].first, batch[i].second);
            t.id += static_cast<int>(i);
            t.build_seconds = builds[i].seconds;
            t.code = builds[i].code;
            // The hand knobs are timed whatever their code: they are the noise floor.
            const auto owner = t.code.empty() || t.origin == "hand" ? code_owner.end() : code_owner.find(t.code);
            if (owner != code_owner.end()) {
                libraries.push_back(LoadedLibrary{});
                t.status = "same code";
                t.error = "the same code as " + owner->second;
                trials.push_back(t);
                continue;
            }
            if (builds[i].ok && !t.code.empty() && t.origin != "hand") code_owner[t.code] = "trial " + std::to_string(t.id);
            libraries.push_back(load_built(*search.module, device_, requests[i], builds[i]));
            if (!libraries.back().ok()) {
                t.status = "not built";
                t.error = libraries.back().error;
            } else {
                runnable.push_back(i);
            }
            trials.push_back(t);
        }
        std::vector<const LoadedLibrary *> candidates;
        for (size_t i : runnable) candidates.push_back(&libraries[i]);
        const auto outcomes = runner_.run(hand, candidates, search.problems);
        for (size_t k = 0; k < runnable.size(); k++) {
            Trial &t = trials[runnable[k]];
            t.status = "verified";
            for (size_t pi = 0; pi < search.problems.size(); pi++) {
                const ProblemOutcome &po = outcomes[k][pi];
                ProblemResult &r = t.results[pi];
                r.verified = po.verified;
                r.error = po.error;
                r.max_abs_err = po.max_abs_err;
                r.median_ms = po.median_ms;
                r.hand_median_ms = po.hand_median_ms;
                if (!po.verified) {
                    t.status = "rejected";
                    if (t.error.empty()) t.error = r.problem + ": " + po.error;
                }
            }
            loaded_.emplace(t.knobs, std::move(libraries[runnable[k]]));
        }
        for (Trial &t : trials) record_.trials.push_back(std::move(t));
        update_best();
        save();
        progress(label, key, deadline);
        last_batch = std::chrono::duration<double>(Clock::now() - batch_start).count();
    }
    if (exhausted) confirm(search, hand, classes, key, deadline);
    return true;
}

// The candidates that screened best are verified over the grid and timed again,
// in rounds interleaved with the hand schedule; only then can they win.
void Tuner::confirm(const Search &search, const LoadedLibrary &hand, const std::vector<std::string> &classes,
                    const std::string &key, Clock::time_point deadline) {
    constexpr int kConfirmed = 2;
    std::vector<Trial *> order;
    for (Trial &t : record_.trials) {
        if (t.search_key() == key && t.ratio() > 0 && t.ratio() < 1.0 && t.origin != "hand") order.push_back(&t);
    }
    std::sort(order.begin(), order.end(), [](const Trial *a, const Trial *b) { return a->ratio() < b->ratio(); });
    // Until kConfirmed have won, the best kConfirmed not yet confirmed: screening in a
    // process with hundreds of libraries loaded misjudges some, so a loser makes room.
    int confirmed = 0, winners = 0;
    for (Trial *t : order) {
        if (winners == kConfirmed || confirmed == kConfirmed) break;
        if (t->confirmation) {  // confirmed earlier, or by an earlier run (--resume)
            winners += t->confirmation->wins();
            continue;
        }
        if (Clock::now() >= deadline && confirmed > 0) break;
        auto lib = loaded_.find(t->knobs);
        if (lib == loaded_.end()) {  // a trial of an earlier run: built again
            const BuildRequest again = request(t->module, t->knobs);
            LoadedLibrary l = load_built(*search.module, device_, again, builder_.build({again}).front());
            if (!l.ok()) continue;
            lib = loaded_.emplace(t->knobs, std::move(l)).first;
        }
        Confirmation c;
        c.grid_failures = verify_grid(lib->second, device_, &c.grid_checked);
        if (c.grid_failures.empty()) time_apart(search, hand, lib->second, classes, &c);
        t->confirmation = c;
        confirmed++;
        winners += c.wins();
        save();
    }
}

void Tuner::time_apart(const Search &search, const LoadedLibrary &hand, const LoadedLibrary &candidate,
                       const std::vector<std::string> &classes, Confirmation *c) {
    const std::string base = work_ + "/confirm_" + std::to_string(++built_);
    std::vector<std::string> args = {this_program(), "tune-time", "--module", search.module->spec->name, "--shapes", shapes_,
                                     "--device", device_name(device_), "--rounds", std::to_string(kConfirmRounds),
                                     "--hand", hand.path + ":" + hand.function_name,
                                     "--candidate", candidate.path + ":" + candidate.function_name, "--out", base + ".json"};
    if (threads_ > 0) args.insert(args.end(), {"--threads", std::to_string(threads_)});
    const int status = run_logged(args, base + ".log");
    json doc;
    if (status == 0) {
        std::ifstream in(base + ".json");
        doc = json::parse(in, nullptr, false);
    }
    const json *rounds = doc.is_object() && doc.contains("ratios") && doc["ratios"].is_array() ? &doc["ratios"] : nullptr;
    if (!rounds) {
        std::ifstream in(base + ".log");
        std::string line, last;
        while (std::getline(in, line))
            if (!line.empty()) last = line;
        c->error = "the timing process (prcm tune-time) failed: " + (last.empty() ? "exit " + std::to_string(status) : last);
        return;
    }
    // Per problem, the median over the rounds of its ratio in that round; per round,
    // the geometric mean over the problems.
    std::vector<std::vector<double>> ratios(search.problems.size());
    for (const json &round : *rounds) {
        if (!round.is_array() || round.size() != ratios.size()) {
            c->error = "the timing process wrote " + base + ".json with another number of problems";
            return;
        }
        std::vector<double> this_round;
        for (size_t pi = 0; pi < ratios.size(); pi++) {
            const double r = round[pi].is_number() ? round[pi].get<double>() : 0;
            if (r <= 0) {
                c->error = "the timing process gave no time at " + problem_key(search.problems[pi]);
                return;
            }
            ratios[pi].push_back(r);
            this_round.push_back(r);
        }
        c->round_ratios.push_back(geometric_mean(this_round));
        c->rounds++;
    }
    std::map<std::string, std::vector<double>> by_class;
    for (size_t pi = 0; pi < ratios.size(); pi++) {
        c->problem_ratios.push_back(median(ratios[pi]));
        by_class[classes[pi]].push_back(c->problem_ratios.back());
    }
    c->ratio = geometric_mean(c->problem_ratios);
    for (const auto &[name, class_ratios] : by_class) c->class_ratios[name] = geometric_mean(class_ratios);
}

}  // namespace

int run_tune_time(const TuneTimeOptions &o) {
    Device device;
    if (!parse_device(o.tune.device, &device)) return report_error("tune-time", Status::error("unknown device"));
    std::vector<Search> searches;
    if (Status s = tuned_problems(o.tune, device, &searches); !s) return report_error("tune-time", s);
    if (searches.size() != 1 || o.rounds < 1) return report_error("tune-time", Status::error("give one --module and --rounds >= 1"));
    const Search &search = searches.front();
    auto load = [&](const std::string &spec) {
        const size_t colon = spec.rfind(':');
        if (colon == std::string::npos) return LoadedLibrary{Module{}, "'" + spec + "' is not PATH:FUNCTION", "", ""};
        return load_library(*search.module, device, spec.substr(0, colon), spec.substr(colon + 1));
    };
    const LoadedLibrary hand = load(o.hand), candidate = load(o.candidate);
    for (const LoadedLibrary *l : {&hand, &candidate})
        if (!l->ok()) return report_error("tune-time", Status::failed(l->error));
    if (o.tune.threads > 0) set_cpu_threads(o.tune.threads);
    TimingOptions timing;
    timing.threads = o.tune.threads;
    resolve_protocol(device, &timing);
    LocalRunner runner(timing);
    json rounds = json::array();
    for (int round = 0; round < o.rounds; round++) {
        const std::vector<ProblemOutcome> outcome = runner.run(hand, {&candidate}, search.problems).front();
        json ratios = json::array();
        for (size_t pi = 0; pi < outcome.size(); pi++) {
            if (!outcome[pi].verified || outcome[pi].hand_median_ms <= 0) {
                return report_error("tune-time", Status::failed(problem_key(search.problems[pi]) + ": " + outcome[pi].error));
            }
            ratios.push_back(outcome[pi].median_ms / outcome[pi].hand_median_ms);
        }
        rounds.push_back(ratios);
    }
    json problems = json::array();
    for (const Problem &p : search.problems) problems.push_back(problem_key(p));
    if (Status s = write_json(o.out, {{"problems", problems}, {"ratios", rounds}}); !s) return report_error("tune-time", s);
    return exit_ok;
}

int run_tune(const TuneOptions &o) {
    Device device;
    if (!parse_device(o.device, &device)) {
        return report_error("tune", Status::error("unknown device '" + printable(o.device) + "' (known: cpu, opencl, cuda)"));
    }
    if (o.all == !o.module.empty()) return report_error("tune", Status::error("give --module NAME or --all"));
    double budget = 0;
    if (!parse_budget(o.budget, &budget)) {
        return report_error("tune", Status::error("--budget '" + printable(o.budget) +
                                                  "' is not a duration such as 90s, 10m or 1h (at most a week)"));
    }
    std::vector<Search> searches;
    if (Status s = tuned_problems(o, device, &searches); !s) return report_error("tune", s);
    if (searches.empty()) return report_error("tune", Status::error("nothing to tune"));
    bool built = false;
    for (Device d : built_devices()) built |= d == device;
    if (!built) {
        return report_error("tune", Status::unavailable(std::string(device_name(device)) +
                                                        ": this build has no libraries for it (PRCM_BUILD_OPENCL / PRCM_BUILD_CUDA)"));
    }
    if (Status s = device_available(device); !s) return report_error("tune", s.prefixed(std::string(device_name(device)) + ": "));

    const std::string out = o.out.empty() ? default_record_path() : o.out;
    if (o.out.empty()) ::mkdir("tuning", 0777);  // the default's folder; an error shows in the check below
    if (Status s = check_outputs({out}); !s) return report_error("tune", s);
    Record record;
    struct stat st;
    const bool exists = ::stat(out.c_str(), &st) == 0;
    if (exists && !o.resume) {
        return report_error("tune", Status::error(out + " exists: give --resume to add to its trials, or another --out"));
    }
    if (exists) {
        if (Status s = read_record(out, &record); !s) return report_error("tune", s);
    }
    const std::string model = device_model(device);
    for (const Trial &t : record.trials) {
        if (t.device == device_name(device) && t.device_model != model) {
            return report_error("tune", Status::error(out + " holds trials of " + t.device + " on " + t.device_model +
                                                      ", not this machine's " + model + ": tune into another --out"));
        }
    }

    std::string cpu_target = cpu_target_selected();
    if (!o.cpu_target.empty()) cpu_target = o.cpu_target;
    const std::string target = device_target(device, cpu_target);
    const std::string generator = o.generator.empty() ? default_generator_path() : o.generator;
    if (::access(generator.c_str(), X_OK) != 0) {
        return report_error("tune", Status::unavailable("no generator executable at " + generator +
                                                        " (prcm tune builds candidates with the project's prcm_generators; "
                                                        "give --generator PATH)"));
    }
    const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    const int jobs = o.jobs > 0 ? o.jobs : cores;
    std::error_code ec;
    std::string work = (std::filesystem::temp_directory_path(ec) / "prcm-tune-XXXXXX").string();
    if (!::mkdtemp(work.data())) return report_error("tune", Status::failed("cannot make a work folder under " + work));

    TimingOptions timing;
    timing.threads = o.threads;
    resolve_protocol(device, &timing);
    if (o.threads > 0) set_cpu_threads(o.threads);
    const int threads = device == Device::cpu ? (o.threads > 0 ? o.threads : default_threads()) : 0;

    LocalBuilder builder(generator, default_linker(), work, jobs);
    LocalRunner runner(timing);
    Tuner tuner(o, device, target, out, work, record, builder, runner, std::max(2, 2 * jobs), threads);

    std::cout << "tuning  " << searches.size() << (searches.size() == 1 ? " module" : " modules") << " on "
              << device_name(device) << " (" << target << "), " << model << ", "
              << (device == Device::cpu ? std::to_string(threads) + " threads, " : std::string()) << "budget "
              << format_duration(budget) << "\n";
    std::cout << "record  " << out << (exists ? " (resumed: " + std::to_string(record.trials.size()) + " trials)" : "")
              << "\n";
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(budget));
    int code = exit_ok;
    for (size_t i = 0; i < searches.size(); i++) {
        // Each module gets an equal share of what is left, so time one does not use passes on.
        const auto deadline = Clock::now() + (end - Clock::now()) / static_cast<long>(searches.size() - i);
        const std::string label = std::to_string(i + 1) + "/" + std::to_string(searches.size()) + " " +
                                  searches[i].module->spec->name + " " + device_name(device);
        std::string error;
        if (!tuner.tune(searches[i], deadline, label, &error)) {
            std::fprintf(stderr, "%sprcm tune: %s\n", stderr_mid_line ? "\n" : "", error.c_str());
            stderr_mid_line = 0;
            code = exit_failed;
        }
    }
    if (stderr_mid_line) {
        std::fprintf(stderr, "\n");
        stderr_mid_line = 0;
    }
    std::filesystem::remove_all(work, ec);

    // The outcome per module and shape class.
    std::map<std::string, int> trials, rejected;
    for (const Trial &t : record.trials) {
        if (t.device != device_name(device) || t.target != target) continue;
        trials[t.module]++;
        if (t.failed()) rejected[t.module]++;
    }
    Table table{{"Module", "Class", "Trials", "Rejected", "Schedule", "vs hand", "Knobs (trial)"}, {}};
    for (const ClassWinner &w : class_winners(record)) {
        if (w.device != device_name(device) || w.target != target) continue;
        const bool searched = std::any_of(searches.begin(), searches.end(),
                                          [&](const Search &s) { return w.module == s.module->spec->name; });
        if (!searched) continue;
        table.rows.push_back({w.module, w.shape_class, std::to_string(trials[w.module]), std::to_string(rejected[w.module]),
                              w.trial ? "tuned" : "hand", w.trial ? ratio_string(w.ratio, 1) : "-",
                              w.trial ? w.trial->knobs + " (" + std::to_string(w.trial->id) + ")" : "no confirmed gain"});
    }
    std::cout << "\n";
    table.print();
    std::cout << "\n'vs hand' is the winner's time over the hand schedule's, interleaved in a process that loads only "
                 "the two (median of "
              << kConfirmRounds << " rounds, geometric mean over the class's shapes); a candidate wins at "
              << format_fixed(kWinningRatio, 2)
              << "x or better, faster in every round, after passing the awkward-shape grid.\n";
    std::cout << "apply   cmake -DPRCM_TUNING=" << out << " (then rebuild)\n";
    if (Status s = write_record(out, record); !s) return report_error("tune", s);
    return code;
}

}  // namespace prcm::cli
