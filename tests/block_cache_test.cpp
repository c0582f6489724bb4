// The runtime's cache of Halide's allocations (runtime/src/block_cache.cpp): a freed
// block comes back for the next request it fits, on the thread that freed it; small
// blocks, blocks from elsewhere and a thread's surplus go back to the default allocator.
#include "block_cache.h"
#include "test_support.h"

#include <HalideRuntime.h>

#include <cstring>
#include <thread>
#include <vector>

using namespace prcm;

namespace {

constexpr size_t kKiB = 1024;

// Runs `f` on a thread of its own: its spares start empty and go with it (ASan's leak check).
template <typename F>
void on_new_thread(F f) {
    std::thread(f).join();
}

}  // namespace

TEST_CASE("block cache: a freed block comes back for a request it fits, not for one under half its size",
          "[thread_pool]") {
    on_new_thread([] {
    const BlockCacheCounts before = block_cache_counts();
    void *a = block_cache_malloc(nullptr, 512 * kKiB);
    REQUIRE(a != nullptr);
    std::memset(a, 1, 512 * kKiB);  // the whole block is writable (ASan checks it)
    CHECK(block_cache_counts().live == before.live + 1);
    block_cache_free(nullptr, a);
    CHECK(block_cache_counts().live == before.live);
    CHECK(block_cache_counts().spare == before.spare + 1);

    void *b = block_cache_malloc(nullptr, 300 * kKiB);  // fits, and is more than half of it
    CHECK(b == a);
    CHECK(block_cache_counts().spare == before.spare);
    block_cache_free(nullptr, b);

    void *c = block_cache_malloc(nullptr, 200 * kKiB);  // under half: a block of its own
    CHECK(c != a);
    std::memset(c, 2, 200 * kKiB);
    block_cache_free(nullptr, c);
    void *d = block_cache_malloc(nullptr, 600 * kKiB);  // larger than every spare
    CHECK(d != a);
    CHECK(d != c);
    std::memset(d, 3, 600 * kKiB);
    block_cache_free(nullptr, d);
    CHECK(block_cache_counts().spare == 3);
    });
}

TEST_CASE("block cache: small blocks and blocks it did not hand out go back to the default allocator",
          "[thread_pool]") {
    on_new_thread([] {
    const BlockCacheCounts before = block_cache_counts();
    void *small = block_cache_malloc(nullptr, 4 * kKiB);
    REQUIRE(small != nullptr);
    CHECK(block_cache_counts().live == before.live);
    block_cache_free(nullptr, small);
    CHECK(block_cache_counts().spare == before.spare);

    void *foreign = halide_default_malloc(nullptr, 256 * kKiB);
    REQUIRE(foreign != nullptr);
    block_cache_free(nullptr, foreign);  // freed, not kept (ASan would report a leak or a double free)
    CHECK(block_cache_counts().spare == before.spare);
    block_cache_free(nullptr, nullptr);
    });
}

TEST_CASE("block cache: a thread keeps four spare blocks at most, giving back the largest", "[thread_pool]") {
    on_new_thread([] {
        std::vector<void *> blocks;
        for (size_t kib : {100, 200, 400, 800, 1600}) blocks.push_back(block_cache_malloc(nullptr, kib * kKiB));
        for (void *p : blocks) REQUIRE(p != nullptr);
        CHECK(block_cache_counts().spare == 0);
        for (void *p : blocks) block_cache_free(nullptr, p);
        CHECK(block_cache_counts().spare == 4);
        void *large = block_cache_malloc(nullptr, 1500 * kKiB);  // the 1600 KiB block was given back
        CHECK(block_cache_counts().spare == 4);
        void *again = block_cache_malloc(nullptr, 700 * kKiB);  // the smallest that fits: 800 KiB
        CHECK(again == blocks[3]);
        CHECK(block_cache_counts().spare == 3);
        block_cache_free(nullptr, again);
        block_cache_free(nullptr, large);
    });
}

TEST_CASE("block cache: a block freed on another thread goes to that thread's spares", "[thread_pool]") {
    void *block = block_cache_malloc(nullptr, 256 * kKiB);
    REQUIRE(block != nullptr);
    const size_t live = block_cache_counts().live;
    void *reused = nullptr;
    on_new_thread([&] {
        block_cache_free(nullptr, block);
        CHECK(block_cache_counts().spare == 1);
        reused = block_cache_malloc(nullptr, 256 * kKiB);
        block_cache_free(nullptr, reused);
    });
    CHECK(reused == block);
    CHECK(block_cache_counts().live == live - 1);
}
