#include "schedules/vector.h"

namespace prcm {

using namespace Halide;

void schedule_vector_cpu(Func f, const Target &target, const LoopLevel &at) {
    f.compute_at(at).vectorize(f.args()[0], target.natural_vector_size<float>(), TailStrategy::GuardWithIf);
}

void schedule_vector_gpu(Stage stage, const Var &k, const Var &n) {
    Var ko("ko"), ki(kGpuThreadVar);
    stage.split(k, ko, ki, kGpuThreads, TailStrategy::GuardWithIf).gpu_blocks(ko, n).gpu_threads(ki);
}

}  // namespace prcm
