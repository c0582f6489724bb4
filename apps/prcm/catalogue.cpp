#include "catalogue.h"
#include "format.h"

#include "prcm/files.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace prcm::cli {

namespace {

using nlohmann::json;

// experiments/catalogue.json as a string literal (apps/CMakeLists.txt generates it).
const char *const kCatalogue =
#include "catalogue_json.inc"
    ;

std::vector<HyperSetting> hyper_settings(const json &hyper) {
    std::vector<HyperSetting> out;
    for (const auto &[name, value] : hyper.items()) {
        const HyperParamInfo *info = nullptr;
        for (const HyperParamInfo &h : hyper_param_table())
            if (name == h.name) info = &h;
        if (!info) throw std::runtime_error("unknown hyper-parameter '" + name + "'");
        out.push_back({info->field, value.get<int>()});
    }
    return out;
}

std::string swept_text(const std::string &vary, bool square, int v, const TorchShape &shape) {
    if (vary == "none") return shape_text(shape);
    if (vary == "size" || square) return std::to_string(v) + "x" + std::to_string(v);
    return std::to_string(v);
}

struct Catalogue {
    std::vector<Block> blocks;
    std::vector<Experiment> experiments;
};

Catalogue parse() {
    Catalogue c;
    const json doc = json::parse(kCatalogue);
    for (const json &b : doc.at("blocks"))
        c.blocks.push_back({b.at("label"), b.at("title"), b.at("module"), hyper_settings(b.at("hyper"))});
    auto block = [&](const std::string &label) -> const Block & {
        for (const Block &b : c.blocks)
            if (b.label == label) return b;
        throw std::runtime_error("an experiment names the block '" + label + "', which is not among the blocks");
    };
    for (const json &e : doc.at("experiments")) {
        Experiment x{e.at("id"),
                     e.at("title"),
                     e.at("source"),
                     e.value("sweep", ""),
                     e.value("timed", true),
                     e.value("params_column", false),
                     {}};
        const bool titles = e.value("names", "label") == "title";
        for (const json &part : e.at("parts")) {
            const std::string vary = part.at("vary");
            const bool square = part.value("square", false);
            std::vector<int> values = part.value("values", std::vector<int>{});
            if (vary == "none") values = {0};
            for (int v : values) {
                for (const std::string label : part.at("blocks")) {
                    const Block &b = block(label);
                    Config cfg;
                    cfg.label = part.value("as", titles ? b.title : b.label);
                    cfg.module = b.module;
                    cfg.hyper = b.hyper;
                    cfg.shape = part.at("shape").get<TorchShape>();
                    cfg.part = part.value("part", "");
                    if (vary == "channels")
                        cfg.shape[1] = v;
                    else if (vary == "size")
                        cfg.shape[2] = cfg.shape[3] = v;
                    else if (vary == "batch")
                        cfg.shape[0] = v;
                    else if (vary != "none")
                        cfg.hyper.push_back(hyper_settings(json{{vary, v}}).front());
                    cfg.sweep = swept_text(vary, square, v, cfg.shape);
                    cfg.sweep_value = vary == "none" ? cfg.shape[1] : v;
                    x.configs.push_back(std::move(cfg));
                }
            }
        }
        c.experiments.push_back(std::move(x));
    }
    return c;
}

const Catalogue &catalogue() {
    // Built in and checked by a test (tests/catalogue_test.cpp): a malformed one is a
    // build of prcm that must not ship, so it stops here with the reason.
    static const Catalogue c = [] {
        try {
            return parse();
        } catch (const std::exception &e) {
            std::fprintf(stderr, "prcm: the built-in experiments/catalogue.json is malformed: %s\n", e.what());
            std::abort();
        }
    }();
    return c;
}

}  // namespace

void Config::apply(HyperParams &hp) const {
    for (const auto &[field, value] : hyper) hp.*field = value;
}

const std::vector<Block> &catalogue_blocks() { return catalogue().blocks; }

const Block *find_block(const std::string &label) {
    for (const Block &b : catalogue_blocks())
        if (b.label == label) return &b;
    return nullptr;
}

const std::vector<Experiment> &all_experiments() { return catalogue().experiments; }

std::vector<std::string> experiment_ids() {
    std::vector<std::string> ids;
    for (const Experiment &e : all_experiments()) ids.push_back(e.id);
    return ids;
}

Status experiment_problems(const std::string &id, Device device, std::vector<Problem> *problems) {
    for (const Experiment &e : all_experiments()) {
        if (e.id != id) continue;
        if (!e.timed) return Status::error("experiment '" + id + "' times nothing (it counts parameters)");
        problems->clear();
        for (const Config &c : e.configs) {
            const Module *module = find_module(c.module);
            if (!module) continue;
            Problem p = make_problem(*module, device, c.shape);
            c.apply(p.hp);
            problems->push_back(p);
        }
        return Status::ok();
    }
    std::string ids;
    for (const std::string &known : experiment_ids()) ids += (ids.empty() ? "" : ", ") + known;
    return Status::error("no experiment is named '" + printable(id) + "' (known: " + ids + ")");
}

}  // namespace prcm::cli
