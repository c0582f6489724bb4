#include "schedules/elementwise.h"
#include "schedules/modulator_schedule.h"

namespace prcm {

using namespace Halide;

namespace {
// Threads per block along one axis: a warp on CUDA; only portable directives.
constexpr int kThreads = 32;
constexpr const char *kThreadVar = "ki";

void gpu_rows(Stage stage, const Var &k, const Var &n) {
    Var ko("ko"), ki(kThreadVar);
    stage.split(k, ko, ki, kThreads, TailStrategy::GuardWithIf).gpu_blocks(ko, n).gpu_threads(ki);
}
}  // namespace

void schedule_modulator_gpu(ModulatorStages &s, const Target &) {
    const Axes &v = s.v;

    // Pooling: adjacent threads read adjacent x (coalesced), one block per plane.
    Var lane("lane");
    RVar xo("xo"), xi("xi");
    Func lanes = s.gap.sum.update()
                     .split(s.gap.plane.x, xo, xi, kThreads, TailStrategy::GuardWithIf)
                     .rfactor(xi, lane);
    // rfactor puts `lane` outermost; threads must sit inside blocks, serial loops inside threads.
    lanes.compute_root().reorder(lane, v.c, v.n).gpu_blocks(v.c, v.n).gpu_threads(lane);
    lanes.update().reorder(xo, s.gap.plane.y, lane, v.c, v.n).gpu_blocks(v.c, v.n).gpu_threads(lane);
    s.gap.sum.compute_root();
    gpu_rows(s.gap.sum, v.c, v.n);
    gpu_rows(s.gap.sum.update(), v.c, v.n);

    for (size_t i = 0; i < s.vectors.size(); i++) {
        Func f = s.vectors[i];
        if (f.has_update_definition()) {
            // A linear_stage runs inside each thread of the vector after it, its reader,
            // as an inline linear() does: no kernels of its own.
            _halide_user_assert(i + 1 < s.vectors.size()) << f.name() << " must be followed by the vector that reads it\n";
            f.compute_at(s.vectors[i + 1], Var(kThreadVar));
            continue;
        }
        f.compute_root();
        gpu_rows(f, f.args()[0], f.args()[1]);
    }

    schedule_elementwise_gpu(s.output, v);
}

}  // namespace prcm
