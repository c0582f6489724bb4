#include "schedules/vector.h"

namespace prcm {

using namespace Halide;

void schedule_vector_cpu(Func f, int lanes, const LoopLevel &at) {
    f.compute_at(at).vectorize(f.args()[0], lanes, TailStrategy::GuardWithIf);
}

void schedule_vector_gpu(Stage stage, const Var &k, const Var &n, int threads) {
    Var ko("ko"), ki(kGpuThreadVar);
    stage.split(k, ko, ki, threads, TailStrategy::GuardWithIf).gpu_blocks(ko, n).gpu_threads(ki);
}

}  // namespace prcm
