// `prcm bench --module`: one problem verified, timed beside the copy floor, and read
// against the FMA peak; and the default suite, every module at the notebooks' shape.
#include "experiments.h"
#include "fma_peak.h"

#include "prcm/run.h"

#include <algorithm>
#include <iostream>

namespace prcm::cli {

int run_bench(const ProblemOptions &o, const TimingOptions &t_in, const std::string &json_path,
              const std::string &csv_path) {
    Problem p;
    if (Status s = make_problem(o, &p); !s) return report_error("bench", s);
    if (Status s = check_outputs({json_path, csv_path}); !s) return report_error("bench", s);
    if (Status s = device_available(p.device); !s) {
        return report_error("bench", s.prefixed(std::string(device_name(p.device)) + ": "));
    }
    const Library *library = nullptr;
    if (Status s = find_library(*p.module, p.device, p.schedule, &library); !s) return report_error("bench", s);
    TimingOptions t = t_in;
    resolve_protocol(p.device, &t);
    if (t.threads > 0) set_cpu_threads(t.threads);

    // The peak is measured before the timed calls and again after them, the best of both: a
    // hypervisor's steal of a few tens of milliseconds lowered all three tries of one
    // measurement (Intel Xeon VM: 137 or 120 GFLOP/s in one call in five, 175-177 in the
    // others), and a block's rate then read 113-123% of it.
    const bool reads_peak = p.module->spec->multiply_adds && p.device == Device::cpu;
    const int peak_threads = t.threads > 0 ? t.threads : default_threads();
    FmaPeak peak;
    if (reads_peak) peak = measure_fma_peak(peak_threads);
    const Measurement m = measure(p, t);
    const Comparison &c = m.verified.comparison;
    std::cout << "problem  " << p.replay() << "\n";
    std::cout << "machine  " << machine_line(p.device, t.threads) << "\n";
    std::cout << "target   "
              << (p.device == Device::cpu ? cpu_target_description() : std::string(device_name(p.device))) << "\n";
    std::cout << "schedule " << schedule_in_use(*library) << " (" << library->function_name << ")\n";
    std::cout << "verified " << verdict_name(c.verdict) << ", max abs err " << format_sci(c.max_abs) << "\n";
    if (c.verdict != Verdict::passed) {
        std::cout << failure_details(m.verified, "  ");
        return exit_code(m.verified);
    }
    if (!m.status) return report_error("bench", m.status);
    std::cout << "timing   " << t.warmup << " warm-up, " << t.repeat << " timed calls\n\n";
    Table table{{"", "Mean (ms)", "Std (ms)", "Min (ms)", "Median (ms)", "P90 (ms)", "vs copy"}, {}};
    auto row = [&](const std::string &name, const Stats &s) {
        table.rows.push_back({name, format_ms(s.mean), format_ms(s.std), format_ms(s.min), format_ms(s.median),
                              format_ms(s.p90), ratio_string(s.median, m.copy.median)});
    };
    row(p.module->spec->title, m.block);
    row("copy (floor)", m.copy);
    table.print();
    // A compute-bound block's rate, read against what this CPU's FMA units can do.
    double flops = 0, gflops = 0;
    if (p.module->spec->multiply_adds) {
        flops = 2 * p.module->spec->multiply_adds(p.shape, p.hp);
        gflops = flops / (m.block.median * 1e-3) / 1e9;
        std::cout << "\ncompute  " << format_fixed(gflops, 1) << " GFLOP/s at the median";
        if (reads_peak) peak.gflops = std::max(peak.gflops, measure_fma_peak(peak_threads).gflops);
        if (peak.gflops > 0) {
            std::cout << ", " << format_fixed(100 * gflops / peak.gflops, 0) << "% of the measured " << peak.isa
                      << " FMA peak of " << format_fixed(peak.gflops, 1) << " GFLOP/s on " << peak_threads
                      << (peak_threads == 1 ? " thread" : " threads");
        }
        std::cout << "\n";
    }
    ResultRow result;
    result.module = p.module;
    result.block = p.module->spec->title;
    result.problem = p;
    result.verdict = verdict_name(c.verdict);
    result.max_abs_err = c.max_abs;
    result.warmup = t.warmup;
    result.repeat = t.repeat;
    result.latency = m.block;
    result.copy = m.copy;
    result.params = parameter_count(*p.module->spec, p.shape[1], p.hp);
    if (flops > 0) {
        result.extra["flops"] = flops;  // of one call
        result.extra["gflops"] = gflops;
    }
    if (peak.gflops > 0) result.extra["fma_peak"] = {{"isa", peak.isa}, {"gflops", peak.gflops}};
    const nlohmann::json doc =
        results_json(context_json({p.device}, t.threads), std::vector<nlohmann::json>{result_row_json(result)}, {}, {});
    if (Status s = write_results(doc, json_path, csv_path); !s) return report_error("bench", s);
    return exit_ok;
}

int run_default_suite(const TimingOptions &t_in) {
    TimingOptions t = t_in;
    resolve_protocol(Device::cpu, &t);
    if (t.threads > 0) set_cpu_threads(t.threads);
    const TorchShape shape{1, 64, 64, 64};
    std::cout << "Latency at input 1x64x64x64 (num_basis=8), " << t.warmup << " warm-up / " << t.repeat
              << " timed calls\n";
    std::cout << machine_line(Device::cpu, t.threads) << "\n\n";

    Table table{{"Module", "Params", "Verified", "Max abs err", "Mean (ms)", "Std (ms)", "Median (ms)", "P90 (ms)",
                 "Copy (ms)", "vs copy"},
                {}};
    int failures = 0, code = exit_ok;
    for (const Module &module : modules()) {
        const Problem p = make_problem(module, Device::cpu, shape);
        const Measurement m = measure(p, t);
        const Comparison &c = m.verified.comparison;
        const bool ok = m.ok();
        std::vector<std::string> row{module.spec->title, format_count(parameter_count(*module.spec, shape[1], p.hp)),
                                     verdict_name(c.verdict), format_sci(c.max_abs)};
        if (ok) {
            for (double v : {m.block.mean, m.block.std, m.block.median, m.block.p90, m.copy.median})
                row.push_back(format_ms(v));
            row.push_back(ratio_string(m.block.median, m.copy.median));
        } else {
            failures++;
            code = std::max(code, exit_code(m));
            row.insert(row.end(), {"-", "-", "-", "-", "-", "-"});
            std::cerr << module.spec->name << ":\n";
            if (!m.status) std::cerr << "  " << m.status.message() << "\n";
            std::cerr << failure_details(m.verified, "  ");
        }
        table.rows.push_back(row);
    }
    table.print();
    std::cout << "\n'vs copy' is the block's median over the median time of copying the same tensor, "
                 "measured in the same run.\n";
    return failures ? code : exit_ok;
}

}  // namespace prcm::cli
