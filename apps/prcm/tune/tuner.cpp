// The Tuner's work: candidates drawn, built, verified and screened in batches; the best confirmed in a process of their own.
#include "tuner.h"

#include "knob_space.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

namespace prcm::cli {

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
                 terminal ? "\r" : "", label.c_str(), trials, rejected, same,
                 best > 0 ? ratio_string(best, 1).c_str() : "-", format_duration(left).c_str(),
                 terminal ? "   " : "\n");
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
            if (builds[i].ok && !t.code.empty() && t.origin != "hand")
                code_owner[t.code] = "trial " + std::to_string(t.id);
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
    std::vector<std::string> args = {this_program(), "tune-time",
                                     "--module",     search.module->spec->name,
                                     "--shapes",     shapes_,
                                     "--device",     device_name(device_),
                                     "--rounds",     std::to_string(kConfirmRounds),
                                     "--hand",       hand.path + ":" + hand.function_name,
                                     "--candidate",  candidate.path + ":" + candidate.function_name,
                                     "--out",        base + ".json"};
    if (threads_ > 0) args.insert(args.end(), {"--threads", std::to_string(threads_)});
    const int status = run_logged(args, base + ".log");
    json doc;
    if (status == 0) {
        std::ifstream in(base + ".json");
        doc = json::parse(in, nullptr, false);
    }
    const json *rounds =
        doc.is_object() && doc.contains("ratios") && doc["ratios"].is_array() ? &doc["ratios"] : nullptr;
    if (!rounds) {
        std::ifstream in(base + ".log");
        std::string line, last;
        while (std::getline(in, line))
            if (!line.empty()) last = line;
        c->error =
            "the timing process (prcm tune-time) failed: " + (last.empty() ? "exit " + std::to_string(status) : last);
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

}  // namespace prcm::cli
