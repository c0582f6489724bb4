// Halide's allocations kept per thread from one call to the next (see block_cache.cpp).
#pragma once

#include <cstddef>

namespace prcm {

// Makes Halide's halide_malloc / halide_free go through the cache (once; idempotent).
void install_block_cache();

// What the cache holds now: the blocks handed out and not yet freed (every thread's), and
// the freed blocks the calling thread keeps for its next allocations (for tests).
struct BlockCacheCounts {
    size_t live, spare;
};
BlockCacheCounts block_cache_counts();

// The cache's own functions, as Halide calls them (for tests, without installing them).
void *block_cache_malloc(void *user_context, size_t bytes);
void block_cache_free(void *user_context, void *ptr);

}  // namespace prcm
