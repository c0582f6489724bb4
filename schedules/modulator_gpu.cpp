#include "schedules/elementwise.h"
#include "schedules/modulator_schedule.h"
#include "schedules/plane_sum.h"
#include "schedules/vector.h"

namespace prcm {

using namespace Halide;

void schedule_modulator_gpu(ModulatorStages &s, const Target &) {
    const Axes &v = s.v;

    schedule_plane_sum_gpu(s.gap, v);

    for (Func f : s.vectors) {
        f.compute_root();
        schedule_vector_gpu(f, f.args()[0], f.args()[1]);
    }

    schedule_elementwise_gpu(s.output, v);
}

}  // namespace prcm
