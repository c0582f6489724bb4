// Basis projection (notebook 001 §5): coeff = ctx @ basis.t(), alone.
#include "Halide.h"
#include "generators/component.h"
#include "generators/prcm_generator.h"
#include "schedules/vector.h"

namespace prcm {

using namespace Halide;

class BasisProjection : public PrcmGenerator<BasisProjection> {
public:
    Input<Buffer<float, 2>> input{"input"};     // (c, n)  ==  torch ctx [N, C]
    Input<Buffer<float, 2>> basis{"basis"};     // (c, b)  ==  torch basis [B, C]
    Output<Buffer<float, 2>> output{"output"};  // (b, n)  ==  torch coeff [N, B]

    void generate() {
        VectorStages s;
        const Axes &v = s.v;
        const Expr channels = input.dim(0).extent(), num_basis = basis.dim(1).extent();
        require_dense_from_zero(input);
        // ctx @ basis.T is nn.Linear(C, B) with the basis as its weight.
        output(v.b, v.n) = linear(basis, input, channels, num_basis, v.b, v.n);
        require_dense_from_zero(output);
        output.dim(0).set_bounds(0, num_basis);
        output.dim(1).set_bounds(0, input.dim(1).extent());

        s.output = output;
        if (using_autoscheduler()) {
            estimate_vector(input, kEstimateChannels);
            basis.set_estimates({{0, kEstimateChannels}, {0, kEstimateBasis}});
            estimate_vector(output, kEstimateBasis);
        } else {
            schedule_vector(s, get_target(), knob_overrides());
        }
    }
};

}  // namespace prcm

HALIDE_REGISTER_GENERATOR(prcm::BasisProjection, basis_projection)
