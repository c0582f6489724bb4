// Sigmoid (notebook 001 §5): coeff.sigmoid() on the basis coefficients, alone.
#include "Halide.h"
#include "generators/component.h"
#include "generators/prcm_generator.h"
#include "schedules/vector.h"

namespace prcm {

using namespace Halide;

class Sigmoid : public PrcmGenerator<Sigmoid> {
public:
    Input<Buffer<float, 2>> input{"input"};     // (b, n)  ==  torch coeff [N, B]
    Output<Buffer<float, 2>> output{"output"};  // (b, n)  ==  torch [N, B]

    void generate() {
        VectorStages s;
        const Axes &v = s.v;
        output(v.b, v.n) = sigmoid(input(v.b, v.n));
        require_dense_from_zero(input);
        require_dense_from_zero(output);
        require_same_shape(output, input);

        s.output = output;
        if (using_autoscheduler()) {
            estimate_vector(input, kEstimateBasis);
            estimate_vector(output, kEstimateBasis);
        } else {
            schedule_vector(s, get_target(), knob_overrides());
        }
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::Sigmoid, sigmoid)
