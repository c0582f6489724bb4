#include "measure.h"

#include "prcm/run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <functional>
#include <numeric>
#include <random>

namespace prcm::cli {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

double geometric_mean(const std::vector<double> &values) {
    double log_sum = 0;
    for (double v : values) log_sum += std::log(v);
    return std::exp(log_sum / static_cast<double>(values.size()));
}

namespace {

Stats summarize(std::vector<double> ms) {
    Stats s;
    std::sort(ms.begin(), ms.end());
    const double n = static_cast<double>(ms.size());
    s.mean = std::accumulate(ms.begin(), ms.end(), 0.0) / n;
    double var = 0;
    for (double v : ms) var += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(var / n);  // np.std: population
    s.min = ms.front();
    s.median = median(ms);
    s.p90 = ms[std::min(ms.size() - 1, static_cast<size_t>(std::ceil(0.9 * n)) - 1)];
    return s;
}

// The notebooks' protocol: warm-up calls, then each call timed on its own, with
// the device synchronized inside the timed region. Several calls are timed in
// turn, call by call, so that a machine whose speed drifts (a shared VM) moves
// them together and their ratio holds; each round takes them in a new order
// (seeded, so a run repeats), so that no call always follows the same other one.
Status time_interleaved(const std::vector<std::function<Status()>> &calls, int warmup, int repeat,
                        const std::vector<Stats *> &out) {
    const size_t n = calls.size();
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    std::mt19937 rng(1);
    for (int i = 0; i < warmup; i++)
        for (const auto &call : calls)
            if (Status s = call(); !s) return s;
    std::vector<std::vector<double>> ms(n);
    for (auto &v : ms) v.reserve(repeat);
    for (int i = 0; i < repeat; i++) {
        std::shuffle(order.begin(), order.end(), rng);
        for (size_t k : order) {
            const auto start = std::chrono::steady_clock::now();
            if (Status s = calls[k](); !s) return s;
            const auto end = std::chrono::steady_clock::now();
            ms[k].push_back(std::chrono::duration<double, std::milli>(end - start).count());
        }
    }
    for (size_t k = 0; k < n; k++) *out[k] = summarize(std::move(ms[k]));
    return Status::ok();
}

}  // namespace

void resolve_protocol(Device d, TimingOptions *t) {
    const bool gpu = d != Device::cpu;
    if (t->warmup < 0) t->warmup = gpu ? 100 : 20;
    if (t->repeat < 1) t->repeat = gpu ? 500 : 100;
}

void time_together(const std::vector<Problem> &ps, const std::vector<size_t> &timed, const TimingOptions &t,
                   std::vector<Measurement> &ms) {
    if (timed.empty()) return;
    // The same seeded data for all: the problems differ only in their library.
    const Problem &first = ps[timed.front()];
    ProblemData d = make_problem_data(first);
    std::deque<Tensor> outputs;  // PreparedCall and the timed calls hold references
    std::deque<PreparedCall> calls;
    std::vector<size_t> prepared;
    for (size_t i : timed) {
        outputs.push_back(make_output(ps[i], d));
        calls.emplace_back();
        if (Status s = prepare_call(*ps[i].module, ps[i].device, d.input, d.weights, outputs.back(), &calls.back(),
                                    &ps[i].hp, ps[i].schedule);
            !s) {
            ms[i].status = s;
            outputs.pop_back();
            calls.pop_back();
            continue;
        }
        prepared.push_back(i);
    }
    if (prepared.empty()) return;
    // The floor: copying the experiment's tensor x, the largest the block touches, from
    // the blocks' own input where it is x-shaped (as warm as theirs), into a buffer of
    // its own. Into the first block's output, as it once did, it warmed that output for
    // the first block alone: the same library timed twice read 1.01-1.10x slower in the
    // second slot (1x64x64x64, PRCM and SE, medians of 15 rounds), 0.995-1.003x since.
    Tensor x = torch_shape(d.input) == first.shape ? d.input : make_tensor(first.shape);
    Tensor copy = make_tensor(first.shape);
    PreparedCall copy_call;
    Status s = prepare_copy(first.device, &copy_call);
    if (s) {
        std::vector<std::function<Status()>> fns;
        std::vector<Stats *> out;
        for (size_t k = 0; k < prepared.size(); k++) {
            fns.push_back([&, k] {
                if (Status c = call_prepared(calls[k], d.input, outputs[k]); !c) return c;
                return device_sync(first.device, outputs[k]);
            });
            out.push_back(&ms[prepared[k]].block);
        }
        Stats copy_stats;
        fns.push_back([&] {
            if (Status c = call_prepared(copy_call, x, copy); !c) return c;
            return device_sync(first.device, copy);
        });
        out.push_back(&copy_stats);
        s = time_interleaved(fns, t.warmup, t.repeat, out);
        for (size_t i : prepared) ms[i].copy = copy_stats;
    }
    for (size_t i : prepared) ms[i].status = s;
}

std::vector<Measurement> measure_together(const std::vector<Problem> &ps, const TimingOptions &t) {
    std::vector<Measurement> ms(ps.size());
    std::vector<size_t> timed;
    for (size_t i = 0; i < ps.size(); i++) {
        ms[i].verified = verify(ps[i]);
        if (ms[i].verified.comparison.verdict == Verdict::passed) timed.push_back(i);
    }
    time_together(ps, timed, t, ms);
    return ms;
}

// Verifies the problem, then times the block and the copy of the same tensor.
Measurement measure(const Problem &p, const TimingOptions &t) { return measure_together({p}, t).front(); }

Status time_prepared(const PreparedCall &call, const Tensor &input, Tensor &output, const TimingOptions &t,
                     Stats *stats, Stats *copy) {
    PreparedCall copy_call;
    if (Status s = prepare_copy(call.device, &copy_call); !s) return s;
    Tensor copied = make_tensor(torch_shape(input));
    return time_interleaved({[&] {
                                 if (Status c = call_prepared(call, input, output); !c) return c;
                                 return device_sync(call.device, output);
                             },
                             [&] {
                                 if (Status c = call_prepared(copy_call, input, copied); !c) return c;
                                 return device_sync(call.device, copied);
                             }},
                            t.warmup, t.repeat, {stats, copy});
}

}  // namespace prcm::cli
