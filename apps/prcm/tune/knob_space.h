// The space `prcm tune` searches for one library: every searched knob of its
// schedule's pattern (schedules/knobs.h, KnobInfo::search_*), each with the values
// it may take, around the hand schedule's own values. Halide-free.
#pragma once

#include "schedules/knobs.h"

#include "prcm/verify.h"

#include <map>
#include <random>
#include <string>
#include <vector>

namespace prcm::tune {

// A candidate is every knob of one pattern with its value (KnobValues, schedules/knobs.h).

class KnobSpace {
public:
    // `hand`: the pattern's knobs as the hand schedule has them (format_knobs).
    KnobSpace(std::string pattern, const std::string &hand);

    const std::string &pattern() const { return pattern_; }
    const KnobValues &hand() const { return hand_; }
    // The searched knobs and their values, in knob_table() order; the hand value
    // is always one of them.
    const std::vector<std::pair<std::string, std::vector<int>>> &axes() const { return axes_; }
    // Whether a candidate is legal: every knob of the pattern in its range, the
    // pattern's own rules (a GPU block of at most 1024 threads, ...) kept.
    bool legal(const KnobValues &candidate, std::string *error = nullptr) const;
    // A legal candidate drawn uniformly over each searched knob's values; the knobs
    // not searched keep their hand values. Empty if none was found in many draws.
    KnobValues sample(std::mt19937_64 &rng) const;
    // A legal candidate one or two steps from `from`: a knob or two moved to a
    // neighbouring value. Empty if none was found.
    KnobValues neighbour(const KnobValues &from, std::mt19937_64 &rng) const;

private:
    std::string pattern_;
    KnobValues hand_;
    std::vector<std::pair<std::string, std::vector<int>>> axes_;
};

// Which of its schedule's specializations a problem falls in, by the hand knobs'
// thresholds: "serial" (one core) or "parallel", "narrow " before either for a
// plane narrower than a vector; "vector" for a per-sample vector, "gpu" on a GPU.
// A tuned library keeps one set of knobs for every class its shapes cover.
std::string shape_class(const KnobSpace &space, const Problem &p);

}  // namespace prcm::tune
