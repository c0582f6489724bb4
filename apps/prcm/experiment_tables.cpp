// An experiment's tables on stdout: every row with its statistics, then the notebook's
// own shape (one row per swept value, one column per block).
#include "experiments.h"

#include <algorithm>
#include <iostream>

namespace prcm::cli {

void print_long_table(const std::vector<Row> &rows, bool with_schedule) {
    Table t{{"Block", "Input", "Verified", "Max abs err", "Mean (ms)", "Std (ms)", "Min (ms)", "Median (ms)",
             "P90 (ms)", "Copy (ms)", "vs copy"},
            {}};
    if (with_schedule) t.header.insert(t.header.begin() + 2, "Schedule");
    const bool tuned = std::any_of(rows.begin(), rows.end(), [](const Row &r) { return r.untuned.has_value(); });
    if (tuned) t.header.insert(t.header.end(), {"Untuned (ms)", "vs untuned"});
    std::vector<double> gains;
    for (const Row &r : rows) {
        std::vector<std::string> cells{r.config->label, shape_text(r.config->shape), r.verdict};
        if (with_schedule) cells.insert(cells.begin() + 2, r.config->schedule);
        if (r.measured()) {
            cells.push_back(format_sci(r.m.verified.comparison.max_abs));
            for (double v :
                 {r.m.block.mean, r.m.block.std, r.m.block.min, r.m.block.median, r.m.block.p90, r.m.copy.median})
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
                  << format_fixed(geometric_mean(gains), 2) << "x over " << gains.size() << " tuned rows.\n";
    }
}

void print_pivot(const Experiment &e, const std::vector<Row> &rows, const std::string &part) {
    std::vector<std::string> blocks, sweeps;
    std::map<std::pair<std::string, std::string>, const Row *> cell;
    for (const Row &r : rows) {
        if (r.config->part != part) continue;
        if (std::find(blocks.begin(), blocks.end(), r.config->label) == blocks.end()) blocks.push_back(r.config->label);
        if (std::find(sweeps.begin(), sweeps.end(), r.config->sweep) == sweeps.end()) sweeps.push_back(r.config->sweep);
        cell[{r.config->sweep, r.config->label}] = &r;
    }
    if (sweeps.size() < 2) return;  // one input: the long table says it all
    const bool affine_pair =
        std::count(blocks.begin(), blocks.end(), "PRCM") && std::count(blocks.begin(), blocks.end(), "AffinePRCM");
    Table t{{e.sweep_name}, {}};
    for (const std::string &b : blocks) t.header.push_back(b + " (ms)");
    if (e.params_column) t.header.push_back("Params");
    if (affine_pair) t.header.push_back("Affine/PRCM");
    for (const std::string &s : sweeps) {
        std::vector<std::string> line{s};
        long long params = -1;
        for (const std::string &b : blocks) {
            const Row *r = cell.count({s, b}) ? cell[{s, b}] : nullptr;
            line.push_back(r && r->measured() ? format_ms(r->m.block.median) : "-");
            if (r) params = r->params;
        }
        if (e.params_column) line.push_back(params >= 0 ? format_count(params) : "-");
        if (affine_pair) {
            const Row *p = cell[{s, "PRCM"}], *a = cell[{s, "AffinePRCM"}];
            line.push_back(p && a && p->measured() && a->measured() ? ratio_string(a->m.block.median, p->m.block.median)
                                                                    : "-");
        }
        t.rows.push_back(line);
    }
    std::cout << "\n" << (part.empty() ? "" : part + ", ") << "median latency:\n";
    t.print();
}

}  // namespace prcm::cli
