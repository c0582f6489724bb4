// `prcm report RESULTS.json`: any results file (results.h: `bench --module`, `bench
// EXPERIMENT`, `run --json`, of any version) as charts (--out), CSV (--csv), Markdown
// tables (--markdown: docs/performance.md) or Google Benchmark's JSON (--gbench).
#include "report.h"

#include "prcm/files.h"

#include <iostream>

namespace prcm::cli {

int run_report(const ReportOptions &options) {
    ReportOptions o = options;
    if (o.out_given && o.out_dir.empty()) return report_error("report", Status::error("--out is empty"));
    if (!o.out_given && o.csv_path.empty() && o.markdown_path.empty() && o.gbench_path.empty()) o.out_dir = "report";
    nlohmann::json doc;
    if (Status s = read_results(o.results, &doc); !s) return report_error("report", s);
    // Outputs are checked before any is written: none may be the results file itself.
    if (Status s = check_outputs({o.csv_path, o.markdown_path, o.gbench_path}, {o.results}); !s) {
        return report_error("report", s);
    }
    if (!o.csv_path.empty()) {
        if (Status s = write_file_atomically(o.csv_path, results_csv(doc)); !s) return report_error("report", s);
        std::cout << "wrote " << printable(o.csv_path) << "\n";
    }
    if (!o.markdown_path.empty()) {
        if (Status s = write_file_atomically(o.markdown_path, performance_markdown(doc, o.results)); !s) {
            return report_error("report", s);
        }
        std::cout << "wrote " << printable(o.markdown_path) << "\n";
    }
    if (!o.gbench_path.empty()) {
        if (Status s = write_json(o.gbench_path, results_gbench(doc)); !s) return report_error("report", s);
        std::cout << "wrote " << printable(o.gbench_path) << "\n";
    }
    if (!o.out_dir.empty()) {
        size_t charts = 0;
        if (Status s = write_charts(doc, o.results, o.out_dir, &charts); !s) return report_error("report", s);
        std::cout << "wrote " << charts << " charts and " << printable(o.out_dir) << "/index.html\n";
    }
    return exit_ok;
}

}  // namespace prcm::cli
