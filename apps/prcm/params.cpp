// `prcm params`: the parameter-comparison tables of both notebooks (001 §3 and
// 000 §4), every count computed from the registry's weight specs.
#include "catalogue.h"
#include "cli.h"

#include <algorithm>
#include <iostream>
#include <sstream>

namespace prcm::cli {

namespace {

// A row of a table: a block of the catalogue (its title is the row's label), with a
// hyper-parameter set for the ablations.
struct Row {
    std::string label;
    const Block *block;
    std::vector<HyperSetting> extra;
};

Row row(const std::string &label, std::vector<HyperSetting> extra = {}) {
    const Block *b = find_block(label);
    return {b ? b->title : label, b, std::move(extra)};
}

// The count of one row, or -1 when its module is not in this build.
long long count(const Row &row, int channels) {
    const Module *m = row.block ? find_module(row.block->module) : nullptr;
    if (!m) return -1;
    HyperParams hp = m->spec->defaults;
    for (const auto &[field, value] : row.block->hyper) hp.*field = value;
    for (const auto &[field, value] : row.extra) hp.*field = value;
    return parameter_count(*m->spec, channels, hp);
}

void table_001(int channels, int num_basis) {
    const std::vector<HyperSetting> basis{{&HyperParams::num_basis, num_basis}};
    const std::vector<Row> rows = {row("PRCM", basis), row("AffinePRCM", basis), row("ShiftOnlyPRCM", basis),
                                   row("SE")};
    std::cout << "Parameter Comparison (channels=" << channels << ", num_basis=" << num_basis
              << ")  [notebook 001 §3]\n\n";
    const long long baseline = count(rows[0], channels);
    Table t{{"Module", "Params", "Extra vs PRCM"}, {}};
    for (const Row &r : rows) {
        const long long n = count(r, channels);
        if (n < 0) {
            t.rows.push_back({r.label, "not built", "-"});
            continue;
        }
        const long long extra = n - baseline;
        std::ostringstream extra_text;  // "+512", "-12" or "baseline", as the notebook prints it
        if (extra > 0) extra_text << "+";
        extra_text << (extra == 0 ? std::string("baseline") : format_count(extra));
        t.rows.push_back({r.label, format_count(n), extra_text.str()});
    }
    t.print();

    // The breakdown: each weight of PRCM and AffinePRCM once, with its shape.
    std::cout << "\n[Parameter Breakdown]\n";
    std::vector<std::string> seen;
    for (const char *name : {"prcm", "affine_prcm"}) {
        const Module *m = find_module(name);
        if (!m) continue;
        HyperParams hp = m->spec->defaults;
        hp.num_basis = num_basis;
        for (const WeightSpec &w : m->spec->weights(channels, hp)) {
            if (std::find(seen.begin(), seen.end(), w.name) != seen.end()) continue;
            seen.push_back(w.name);
            long long elements = 1;
            std::string dims;
            for (int e : w.shape) {
                elements *= e;
                if (!dims.empty()) dims += " x ";
                dims += std::to_string(e);
            }
            std::cout << "  " << w.name << ": " << dims << " = " << format_count(elements)
                      << (std::string(name) == "affine_prcm" && w.name != "scale_proj.weight" ? " (NEW in AffinePRCM)"
                                                                                              : "")
                      << "\n";
        }
    }
}

void table_000(int channels) {
    std::vector<Row> rows;
    for (const char *label : {"InvBN(2)", "InvBN(4)", "InvBNRes(2)", "PRCM", "PRCM_SE(2)", "PRCM_SE(4)", "AdaPool(2x2)",
                              "AdaPool(4x4)", "AdaPool(8x8)", "BasisExp", "PRCM_SE_Affine(4)"})
        rows.push_back(row(label));
    std::cout << "Parameter Comparison (channels=" << channels << ")  [notebook 000 §4]\n\n";
    const long long prcm = count(rows[3], channels), invbn = count(rows[0], channels);
    Table t{{"Variant", "Params", "vs PRCM", "vs InvBN"}, {}};
    for (const Row &r : rows) {
        const long long n = count(r, channels);
        if (n < 0) {
            t.rows.push_back({r.label, "not built", "-", "-"});
            continue;
        }
        t.rows.push_back({r.label, format_count(n), prcm > 0 ? format_fixed(double(n) / prcm, 1) + "x" : "-",
                          invbn > 0 ? ratio_string(double(n), invbn) : "-"});
    }
    t.print();
    std::cout
        << "\n[Note]\n"
           "- InvertedBottleneck: 7x7 DW + 1x1 expand + 1x1 project + BNs (BN affine counted, running stats not)\n"
           "- PRCM_AdaptivePool: 1x1 convs, so the count does not depend on pool_size\n";
}

// The parameter columns of the expansion (000 §8) and pool-size (000 §9) ablations.
void table_ablations(int channels) {
    std::cout << "PRCM_SE Expansion Ratio Ablation (channels=" << channels << ")  [notebook 000 §8]\n\n";
    Table se{{"Expansion", "Params", "Hidden Dim"}, {}};
    for (int r : {1, 2, 4, 8, 16}) {
        const long long n = count(row("PRCM_SE(4)", {{&HyperParams::expansion, r}}), channels);
        se.rows.push_back({std::to_string(r), n < 0 ? "not built" : format_count(n), std::to_string(channels * r)});
    }
    se.print();
    std::cout << "\nPRCM_AdaptivePool Size Ablation (channels=" << channels << ", expansion=2)  [notebook 000 §9]\n\n";
    Table pool{{"Pool Size", "Params", "Spatial Info"}, {}};
    for (int ps : {1, 2, 4, 8, 16, 32}) {
        const long long n = count(row("AdaPool(4x4)", {{&HyperParams::pool_size, ps}}), channels);
        pool.rows.push_back({std::to_string(ps) + "x" + std::to_string(ps), n < 0 ? "not built" : format_count(n),
                             std::to_string(ps) + "x" + std::to_string(ps) + " = " + std::to_string(ps * ps)});
    }
    pool.print();
}

}  // namespace

int run_params() {
    table_001(64, 8);
    std::cout << "\n";
    table_000(64);
    std::cout << "\n";
    table_ablations(64);
    return 0;
}

}  // namespace prcm::cli
