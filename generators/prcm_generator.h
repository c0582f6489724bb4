// What every generator of the project has besides its algorithm: the overrides
// of its hand schedule's knobs (schedules/knobs.h).
#pragma once

#include "Halide.h"

#include <string>

namespace prcm {

template<typename T>
class PrcmGenerator : public Halide::Generator<T> {
public:
    // "<pattern>.<knob>:<value>,..." over the defaults of the target's family; empty:
    // the defaults. The build sets it per library from PRCM_KNOBS.
    Halide::GeneratorParam<std::string> knobs{"knobs", ""};
};

}  // namespace prcm
