// The CPU libraries' thread pool (see thread_pool.cpp).
#pragma once

namespace prcm {

// Makes Halide's parallel loops run on the spinning pool, and their allocations go
// through the block cache (block_cache.h) (once; idempotent).
void install_thread_pool();
// Sets the threads parallel loops use, the calling thread included (0: one per core).
void resize_thread_pool(int threads);
// The threads parallel loops use now, the calling thread included (a CPU library's
// cpu_threads input: a schedule may tile a small call differently for two cores).
int thread_pool_threads();
// Moves the calling thread off `cpu`, where it runs, to another CPU its affinity allows;
// its affinity is left as it was. False where it did not move (not on `cpu`, no other
// CPU allowed, not Linux). The pool's workers call it when woken on their caller's CPU.
bool move_off_cpu(int cpu);

}  // namespace prcm
