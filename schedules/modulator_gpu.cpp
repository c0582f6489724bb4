#include "schedules/elementwise.h"
#include "schedules/modulator.h"
#include "schedules/plane_sum.h"
#include "schedules/vector.h"

namespace prcm {

using namespace Halide;

void schedule_modulator_gpu(ModulatorStages &s, const GpuModulatorKnobs &knobs) {
    const Axes &v = s.v;

    schedule_plane_sum_gpu(s.gap, v, knobs.threads);

    for (size_t i = 0; i < s.vectors.size(); i++) {
        Func f = s.vectors[i];
        if (f.has_update_definition()) {
            // A linear_stage runs inside each thread of the vector after it, its reader,
            // as an inline linear() does: no kernels of its own.
            _halide_user_assert(i + 1 < s.vectors.size()) << f.name() << " must be followed by the vector that reads it\n";
            f.compute_at(s.vectors[i + 1], Var(kGpuThreadVar));
            continue;
        }
        f.compute_root();
        schedule_vector_gpu(f, f.args()[0], f.args()[1], knobs.threads);
    }

    schedule_elementwise_gpu(s.output, v, {knobs.block_width, knobs.block_height});
}

}  // namespace prcm
