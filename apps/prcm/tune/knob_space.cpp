#include "knob_space.h"

#include <algorithm>
#include <set>

namespace prcm::tune {

namespace {
// The pattern's table rows.
std::vector<const KnobInfo *> pattern_knobs(const std::string &pattern) {
    std::vector<const KnobInfo *> out;
    for (const KnobInfo &k : knob_table())
        if (k.name.compare(0, pattern.size() + 1, pattern + ".") == 0) out.push_back(&k);
    return out;
}
}  // namespace

KnobSpace::KnobSpace(std::string pattern, const std::string &hand)
    : pattern_(std::move(pattern)), hand_(parse_knob_values(hand)) {
    for (const KnobInfo *k : pattern_knobs(pattern_)) {
        if (k->list || k->search_hi == 0) continue;
        std::set<int> values;
        if (k->search_zero && k->min <= 0) values.insert(0);
        for (long long v = std::max(1, k->search_lo); v <= k->search_hi; v *= 2) {
            if (v >= k->min && v <= k->max) values.insert(static_cast<int>(v));
        }
        auto it = hand_.find(k->name);
        if (it != hand_.end()) {
            try {
                values.insert(std::stoi(it->second));
            } catch (const std::exception &) {
            }
        }
        axes_.push_back({k->name, std::vector<int>(values.begin(), values.end())});
    }
}

bool KnobSpace::legal(const KnobValues &candidate, std::string *error) const {
    Knobs knobs{};
    std::string why;
    const bool ok = apply_knob_overrides(knobs, pattern_, format_knob_values(candidate), &why);
    if (!ok && error) *error = why;
    return ok;
}

KnobValues KnobSpace::sample(std::mt19937_64 &rng) const {
    for (int attempt = 0; attempt < 1000; attempt++) {
        KnobValues c = hand_;
        for (const auto &[name, values] : axes_) {
            std::uniform_int_distribution<size_t> pick(0, values.size() - 1);
            c[name] = std::to_string(values[pick(rng)]);
        }
        if (legal(c)) return c;
    }
    return {};
}

KnobValues KnobSpace::neighbour(const KnobValues &from, std::mt19937_64 &rng) const {
    if (axes_.empty()) return {};
    for (int attempt = 0; attempt < 1000; attempt++) {
        KnobValues c = from;
        std::uniform_int_distribution<int> moves(1, 2);
        const int count = moves(rng);
        for (int m = 0; m < count; m++) {
            std::uniform_int_distribution<size_t> axis(0, axes_.size() - 1);
            const auto &[name, values] = axes_[axis(rng)];
            int current = 0;
            try {
                current = std::stoi(c[name]);
            } catch (const std::exception &) {
            }
            // The nearest value of the axis, then one step up or down from it.
            size_t at = 0;
            for (size_t i = 0; i < values.size(); i++)
                if (std::abs(static_cast<long long>(values[i]) - current) <
                    std::abs(static_cast<long long>(values[at]) - current))
                    at = i;
            std::bernoulli_distribution up(0.5);
            if (up(rng) ? at + 1 < values.size() : at == 0)
                at++;
            else
                at--;
            c[name] = std::to_string(values[at]);
        }
        if (c != from && legal(c)) return c;
    }
    return {};
}

std::string shape_class(const KnobSpace &space, const Problem &p) {
    const std::string &pattern = space.pattern();
    if (pattern.rfind("gpu_", 0) == 0) return "gpu";
    if (pattern == "vector") return "vector";
    auto knob = [&](const char *field) -> long long {
        auto it = space.hand().find(pattern + "." + field);
        if (it == space.hand().end()) return 0;
        try {
            return std::stoll(it->second);
        } catch (const std::exception &) {
            return 0;
        }
    };
    const TorchShape &x = p.shape;  // N, C, H, W
    bool serial = false;
    if (pattern == "bottleneck") {
        const ModuleSpec &spec = *p.module->spec;
        const double macs = spec.multiply_adds ? spec.multiply_adds(x, p.hp) : 0;
        serial = macs <= static_cast<double>(knob("serial_macs"));
    } else {
        serial = static_cast<long long>(x[0]) * x[1] * x[2] * x[3] <= knob("serial_elements");
    }
    const bool narrow = x[3] < knob("lanes");
    return std::string(narrow ? "narrow " : "") + (serial ? "serial" : "parallel");
}

}  // namespace prcm::tune
