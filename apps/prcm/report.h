// `prcm report`: a results file (results.h, any version) turned into charts, CSV,
// Markdown tables (docs/performance.md) or Google Benchmark's JSON.
#pragma once

#include "experiments.h"

namespace prcm::cli {

// The SVG charts and their index page into `out_dir`, made with its parents if missing.
Status write_charts(const nlohmann::json &doc, const std::string &json_path, const std::string &out_dir,
                    size_t *charts);
// The results as Markdown: the context, then each experiment's tables (the notebooks'
// layout for the sweeps) and the summary. `source` names the results file in the header.
std::string performance_markdown(const nlohmann::json &doc, const std::string &source);

}  // namespace prcm::cli
