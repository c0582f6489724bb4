// Sigmoid (notebook 001 §5): coeff.sigmoid() on the basis coefficients, alone.
#include "Halide.h"
#include "generators/component.h"
#include "schedules/sigmoid.h"

namespace prcm {

using namespace Halide;

class Sigmoid : public Generator<Sigmoid> {
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
        } else if (get_target().has_gpu_feature()) {
            schedule_sigmoid_gpu(s, get_target());
        } else {
            schedule_sigmoid_cpu(s, get_target());
        }
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::Sigmoid, sigmoid)
