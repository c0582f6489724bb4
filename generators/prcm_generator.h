// What every generator of the project has besides its algorithm: the overrides
// of its hand schedule's knobs (schedules/knobs.h).
#pragma once

#include "schedules/knobs.h"

#include "Halide.h"

#include <string>

namespace prcm {

template <typename T>
class PrcmGenerator : public Halide::Generator<T> {
public:
    // "<pattern>.<knob>:<value>,..." over the defaults of the target's family; empty:
    // the defaults. The build sets it per library from PRCM_KNOBS.
    Halide::GeneratorParam<std::string> knobs{"knobs", ""};
    // A tuning record's winners (PRCM_TUNING): `tuned_knobs`, in the same syntax, for
    // the code of `tuned_target` alone, the target they were measured on.
    Halide::GeneratorParam<std::string> tuned_target{"tuned_target", ""};
    Halide::GeneratorParam<std::string> tuned_knobs{"tuned_knobs", ""};

protected:
    // What the schedule of the target being compiled takes over its family's defaults.
    std::string knob_overrides() const {
        return knob_overrides_for(this->get_target(), tuned_target, tuned_knobs, knobs);
    }
};

}  // namespace prcm
