// The summary under an experiment run: derived from its measurements (nothing typed in),
// each line naming the calls and inputs it rests on. A difference is called real only
// when it is larger than the timings' spread: a timing's spread is its calls' upper
// tail, (p90 - median) / median, and a ratio's is the sum of its two timings'.
#include "experiments.h"

#include <algorithm>
#include <set>

namespace prcm::cli {

namespace {

double spread(const Stats &s) { return s.median > 0 ? (s.p90 - s.median) / s.median : 0; }
double median_of(const Row &r) { return r.m.block.median; }

// "100 timed calls each" (or "from 5 to 100" where the rows differ).
std::string calls_text(const std::vector<const Row *> &rows) {
    int lo = rows.front()->repeat, hi = lo;
    for (const Row *r : rows) {
        lo = std::min(lo, r->repeat);
        hi = std::max(hi, r->repeat);
    }
    return (lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi)) + " timed call" +
           (hi == 1 ? "" : "s") + " each";
}

void fastest_lines(const std::vector<Row> &rows, std::vector<std::string> &lines) {
    std::map<std::pair<std::string, std::string>, std::vector<const Row *>> by_input;
    std::vector<std::pair<std::string, std::string>> order;
    for (const Row &r : rows) {
        if (!r.measured()) continue;
        auto key = std::make_pair(r.config->part, r.config->sweep);
        if (!by_input.count(key)) order.push_back(key);
        by_input[key].push_back(&r);
    }
    for (const auto &key : order) {
        std::vector<const Row *> v = by_input[key];
        std::sort(v.begin(), v.end(), [](const Row *a, const Row *b) { return median_of(*a) < median_of(*b); });
        std::string line = "Fastest at " + key.first + (key.first.empty() ? "" : ", ") + key.second + ": " +
                           v[0]->config->label + " (" + format_ms(median_of(*v[0])) + " ms, median of " +
                           std::to_string(v[0]->repeat) + " calls)";
        if (v.size() > 1) {
            const double gap = median_of(*v[1]) / median_of(*v[0]) - 1;
            const double noise = spread(v[0]->m.block) + spread(v[1]->m.block);
            line += gap > noise ? "; next " + v[1]->config->label + " is " + format_signed_percent(gap) + " slower"
                                : "; not told apart from " + v[1]->config->label + " (" + format_signed_percent(gap) +
                                      ", within the calls' spread of " + format_fixed(100 * noise, 1) + "%)";
        }
        lines.push_back(line);
    }
}

// AffinePRCM's overhead over PRCM wherever both were measured on the same input.
void affine_line(const std::map<std::string, std::vector<Row>> &results, std::vector<std::string> &lines) {
    std::vector<double> overheads, noises;
    std::vector<const Row *> used;
    std::string where;
    for (const auto &[id, rows] : results) {
        std::map<std::string, const Row *> prcm, affine;
        for (const Row &r : rows) {
            if (!r.measured()) continue;
            const std::string key = r.config->part + "|" + r.config->sweep;
            if (r.config->module == "prcm") prcm[key] = &r;
            if (r.config->module == "affine_prcm") affine[key] = &r;
        }
        for (const auto &[key, p] : prcm) {
            if (!affine.count(key)) continue;
            const Row *a = affine.at(key);
            overheads.push_back(median_of(*a) / median_of(*p) - 1.0);
            noises.push_back(spread(a->m.block) + spread(p->m.block));
            used.insert(used.end(), {a, p});
            if (where.find(id) == std::string::npos) where += (where.empty() ? "" : ", ") + id;
        }
    }
    if (overheads.empty()) return;
    std::vector<double> sorted = overheads;
    std::sort(sorted.begin(), sorted.end());
    const double mid = median(overheads), noise = median(noises);
    const size_t n = overheads.size();
    std::string line = "AffinePRCM over PRCM: median " + format_signed_percent(mid);
    if (n > 1)
        line += " (from " + format_signed_percent(sorted.front()) + " to " + format_signed_percent(sorted.back()) + ")";
    line += " over " + std::to_string(n) + " input" + (n == 1 ? "" : "s") + " in " + where + ", " + calls_text(used);
    const bool both_signs = sorted.front() < 0 && sorted.back() > 0;
    if (std::abs(mid) <= noise) {
        line += "; the calls' spread (" + format_fixed(100 * noise, 1) +
                "%) is larger than the difference: "
                "no real difference shown";
    } else if (both_signs) {
        line += "; the inputs disagree in sign: no consistent difference shown";
    } else if (n < 3) {
        line += "; beyond the calls' spread (" + format_fixed(100 * noise, 1) + "%), but on fewer than 3 inputs";
    } else {
        line += "; beyond the calls' spread (" + format_fixed(100 * noise, 1) + "%)";
    }
    lines.push_back(line);
}

// Growth: how time scales with the swept size, from the smallest to the largest point.
void growth_lines(const char *id, const std::vector<Row> &rows, std::vector<std::string> &lines) {
    std::map<std::string, std::vector<const Row *>> by_block;
    std::vector<std::string> order;
    for (const Row &r : rows) {
        if (!r.measured()) continue;
        const std::string key = r.config->label + (r.config->part.empty() ? "" : " at " + r.config->part);
        if (!by_block.count(key)) order.push_back(key);
        by_block[key].push_back(&r);
    }
    auto elements = [](const Row *r) {
        double n = 1;
        for (int e : r->config->shape) n *= e;
        return n;
    };
    for (const std::string &key : order) {
        const auto &v = by_block[key];
        if (v.size() < 2) continue;
        const Row *a = v.front(), *b = v.back();
        lines.push_back(std::string(id) + ": " + key + " goes " + a->config->sweep + " -> " + b->config->sweep + ": " +
                        format_fixed(elements(b) / elements(a), 1) + "x the elements, " +
                        format_fixed(median_of(*b) / median_of(*a), 1) + "x the time (medians, " + calls_text({a, b}) +
                        ")");
    }
}

}  // namespace

std::vector<std::string> summarize(const std::map<std::string, std::vector<Row>> &results) {
    std::vector<std::string> lines;
    if (auto it = results.find("resolution"); it != results.end()) fastest_lines(it->second, lines);
    affine_line(results, lines);
    for (const char *id : {"channels", "resolution", "batch"})
        if (auto it = results.find(id); it != results.end()) growth_lines(id, it->second, lines);
    return lines;
}

}  // namespace prcm::cli
