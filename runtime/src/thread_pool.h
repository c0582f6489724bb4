// The CPU libraries' thread pool (see thread_pool.cpp).
#pragma once

namespace prcm {

// Makes Halide's parallel loops run on the spinning pool (once; idempotent).
void install_thread_pool();
// Sets the threads parallel loops use, the calling thread included (0: one per core).
void resize_thread_pool(int threads);

}  // namespace prcm
