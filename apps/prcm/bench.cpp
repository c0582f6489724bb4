#include "cli.h"

#include "prcm/run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <iostream>
#include <numeric>

namespace prcm::cli {

namespace {

struct Stats {
    double mean = 0, std = 0, min = 0, median = 0, p90 = 0;
};

Stats summarize(std::vector<double> ms) {
    Stats s;
    std::sort(ms.begin(), ms.end());
    const double n = static_cast<double>(ms.size());
    s.mean = std::accumulate(ms.begin(), ms.end(), 0.0) / n;
    double var = 0;
    for (double v : ms) var += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(var / n);  // np.std: population
    s.min = ms.front();
    s.median = ms.size() % 2 ? ms[ms.size() / 2] : 0.5 * (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]);
    s.p90 = ms[std::min(ms.size() - 1, static_cast<size_t>(std::ceil(0.9 * n)) - 1)];
    return s;
}

// The notebooks' protocol: warm-up calls, then each call timed on its own, with
// the device synchronized inside the timed region.
Status time_calls(const std::function<Status()> &call_and_sync, int warmup, int repeat, Stats *out) {
    for (int i = 0; i < warmup; i++) {
        if (Status s = call_and_sync(); !s) return s;
    }
    std::vector<double> ms;
    ms.reserve(repeat);
    for (int i = 0; i < repeat; i++) {
        const auto start = std::chrono::steady_clock::now();
        if (Status s = call_and_sync(); !s) return s;
        const auto end = std::chrono::steady_clock::now();
        ms.push_back(std::chrono::duration<double, std::milli>(end - start).count());
    }
    *out = summarize(std::move(ms));
    return Status::ok();
}

void resolve_protocol(Device d, TimingOptions *t) {
    const bool gpu = d != Device::cpu;
    if (t->warmup < 0) t->warmup = gpu ? 100 : 20;
    if (t->repeat < 1) t->repeat = gpu ? 500 : 100;
}

struct Measurement {
    VerifyResult verified;
    Stats block, copy;
    std::string error;
};

// Verifies the problem, then times the block and the copy of the same tensor.
Measurement measure(const Problem &p, const TimingOptions &t) {
    Measurement m;
    m.verified = verify(p);
    if (m.verified.comparison.verdict != Verdict::passed) return m;

    ProblemData d = make_problem_data(p);
    Tensor output = make_output(p, d);
    PreparedCall call;
    if (Status s = prepare_call(*p.module, p.device, d.input, d.weights, output, &call, &p.hp); !s) {
        m.error = s.message();
        return m;
    }
    Status s = time_calls(
        [&] {
            if (Status c = call_prepared(call, d.input, output); !c) return c;
            return device_sync(p.device, output);
        },
        t.warmup, t.repeat, &m.block);
    if (s) {
        // The floor: copying the experiment's tensor x, the largest the block touches.
        Tensor x = make_tensor(p.shape), copy = make_tensor(p.shape);
        s = time_calls(
            [&] {
                if (Status c = run_copy(p.device, x, copy); !c) return c;
                return device_sync(p.device, copy);
            },
            t.warmup, t.repeat, &m.copy);
    }
    if (!s) m.error = s.message();
    return m;
}

std::string ratio(double a, double b) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2fx", a / b);
    return buf;
}

}  // namespace

int run_bench(const ProblemOptions &o, const TimingOptions &t_in) {
    Problem p;
    if (std::string err = make_problem(o, &p); !err.empty()) {
        std::cerr << "prcm bench: " << err << "\n";
        return 2;
    }
    if (Status s = device_available(p.device); !s) {
        std::cerr << "prcm bench: " << device_name(p.device) << ": " << s.message() << "\n";
        return 3;
    }
    TimingOptions t = t_in;
    resolve_protocol(p.device, &t);
    if (t.threads > 0) set_cpu_threads(t.threads);

    const Measurement m = measure(p, t);
    const Comparison &c = m.verified.comparison;
    std::cout << "problem  " << p.replay() << "\n";
    std::cout << "machine  " << machine_line(p.device, t.threads) << "\n";
    std::cout << "verified " << verdict_name(c.verdict) << ", max abs err " << format_sci(c.max_abs) << "\n";
    if (c.verdict != Verdict::passed) {
        if (!m.verified.error.empty()) std::cout << "  " << m.verified.error << "\n";
        for (const std::string &s : c.first_mismatches) std::cout << "  " << s << "\n";
        return 1;
    }
    if (!m.error.empty()) {
        std::cerr << "prcm bench: " << m.error << "\n";
        return 1;
    }
    std::cout << "timing   " << t.warmup << " warm-up, " << t.repeat << " timed calls\n\n";
    Table table{{"", "Mean (ms)", "Std (ms)", "Min (ms)", "Median (ms)", "P90 (ms)", "vs copy"}, {}};
    auto row = [&](const std::string &name, const Stats &s) {
        table.rows.push_back({name, format_ms(s.mean), format_ms(s.std), format_ms(s.min), format_ms(s.median),
                              format_ms(s.p90), ratio(s.median, m.copy.median)});
    };
    row(p.module->spec->title, m.block);
    row("copy (floor)", m.copy);
    table.print();
    return 0;
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
    int failures = 0;
    for (const Module &module : modules()) {
        const Problem p = make_problem(module, Device::cpu, shape);
        const Measurement m = measure(p, t);
        const Comparison &c = m.verified.comparison;
        const bool ok = c.verdict == Verdict::passed && m.error.empty();
        std::vector<std::string> row{module.spec->title, format_count(parameter_count(*module.spec, shape[1], p.hp)),
                                     verdict_name(c.verdict), format_sci(c.max_abs)};
        if (ok) {
            for (double v : {m.block.mean, m.block.std, m.block.median, m.block.p90, m.copy.median})
                row.push_back(format_ms(v));
            row.push_back(ratio(m.block.median, m.copy.median));
        } else {
            failures++;
            row.insert(row.end(), {"-", "-", "-", "-", "-", "-"});
            std::cerr << module.spec->name << ": " << (m.error.empty() ? m.verified.error : m.error) << "\n";
            for (const std::string &s : c.first_mismatches) std::cerr << "  " << s << "\n";
        }
        table.rows.push_back(row);
    }
    table.print();
    std::cout << "\n'vs copy' is the block's median over the median time of copying the same tensor, "
                 "measured in the same run.\n";
    return failures ? 1 : 0;
}

}  // namespace prcm::cli
