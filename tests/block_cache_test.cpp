// The runtime's cache of Halide's allocations (runtime/src/block_cache.cpp): a freed
// block comes back for the next request it fits, on the thread that freed it; small
// blocks, blocks from elsewhere and a thread's surplus go back to the default allocator.
// Each case runs its allocations on a thread of its own (its spares start empty and go
// with it, for ASan's leak check) and checks what that thread saw once it has joined:
// Catch2's assertions are not for other threads.
#include "block_cache.h"
#include "test_support.h"

#include <HalideRuntime.h>

#include <cstring>
#include <thread>
#include <vector>

using namespace prcm;

namespace {

constexpr size_t kKiB = 1024;

// Runs `f` on a thread of its own and returns what it returned.
template <typename F>
auto on_new_thread(F f) {
    decltype(f()) result{};
    std::thread([&] { result = f(); }).join();
    return result;
}

}  // namespace

TEST_CASE("block cache: a freed block comes back for a request it fits, not for one under half its size",
          "[thread_pool]") {
    struct Seen {
        void *a, *b, *c, *d;
        BlockCacheCounts before, allocated, freed, reused, at_end;
    };
    const Seen s = on_new_thread([] {
        Seen s{};
        s.before = block_cache_counts();
        s.a = block_cache_malloc(nullptr, 512 * kKiB);
        if (!s.a) return s;
        std::memset(s.a, 1, 512 * kKiB);  // the whole block is writable (ASan checks it)
        s.allocated = block_cache_counts();
        block_cache_free(nullptr, s.a);
        s.freed = block_cache_counts();
        s.b = block_cache_malloc(nullptr, 300 * kKiB);  // fits, and is more than half of it
        s.reused = block_cache_counts();
        block_cache_free(nullptr, s.b);
        s.c = block_cache_malloc(nullptr, 200 * kKiB);  // under half: a block of its own
        if (!s.c) return s;
        std::memset(s.c, 2, 200 * kKiB);
        block_cache_free(nullptr, s.c);
        s.d = block_cache_malloc(nullptr, 600 * kKiB);  // larger than every spare
        if (!s.d) return s;
        std::memset(s.d, 3, 600 * kKiB);
        block_cache_free(nullptr, s.d);
        s.at_end = block_cache_counts();
        return s;
    });
    REQUIRE((s.a && s.c && s.d));
    CHECK(s.before.spare == 0);
    CHECK(s.allocated.live == s.before.live + 1);
    CHECK(s.freed.live == s.before.live);
    CHECK(s.freed.spare == 1);
    CHECK(s.b == s.a);
    CHECK(s.reused.spare == 0);
    CHECK(s.c != s.a);
    CHECK(s.d != s.a);
    CHECK(s.d != s.c);
    CHECK(s.at_end.spare == 3);
}

TEST_CASE("block cache: small blocks and blocks it did not hand out go back to the default allocator",
          "[thread_pool]") {
    struct Seen {
        bool allocated;
        BlockCacheCounts before, small_live, small_freed, foreign_freed;
    };
    const Seen s = on_new_thread([] {
        Seen s{};
        s.before = block_cache_counts();
        void *small = block_cache_malloc(nullptr, 4 * kKiB);
        void *foreign = halide_default_malloc(nullptr, 256 * kKiB);
        s.allocated = small && foreign;
        s.small_live = block_cache_counts();
        block_cache_free(nullptr, small);
        s.small_freed = block_cache_counts();
        block_cache_free(nullptr, foreign);  // freed, not kept (ASan would report a leak or a double free)
        s.foreign_freed = block_cache_counts();
        block_cache_free(nullptr, nullptr);
        return s;
    });
    REQUIRE(s.allocated);
    CHECK(s.small_live.live == s.before.live);
    CHECK(s.small_freed.spare == 0);
    CHECK(s.foreign_freed.spare == 0);
    CHECK(s.foreign_freed.live == s.before.live);
}

TEST_CASE("block cache: a thread keeps four spare blocks at most, giving back the largest", "[thread_pool]") {
    struct Seen {
        bool allocated;
        size_t spare_before, spare_after_frees, spare_after_large, spare_after_again;
        bool again_is_800;
    };
    const Seen s = on_new_thread([] {
        Seen s{};
        std::vector<void *> blocks;
        for (size_t kib : {100, 200, 400, 800, 1600}) blocks.push_back(block_cache_malloc(nullptr, kib * kKiB));
        s.allocated = true;
        for (void *p : blocks) s.allocated = s.allocated && p != nullptr;
        s.spare_before = block_cache_counts().spare;
        for (void *p : blocks) block_cache_free(nullptr, p);
        s.spare_after_frees = block_cache_counts().spare;
        void *large = block_cache_malloc(nullptr, 1500 * kKiB);  // the 1600 KiB block was given back
        s.spare_after_large = block_cache_counts().spare;
        void *again = block_cache_malloc(nullptr, 700 * kKiB);  // the smallest that fits: 800 KiB
        s.again_is_800 = again == blocks[3];
        s.spare_after_again = block_cache_counts().spare;
        block_cache_free(nullptr, again);
        block_cache_free(nullptr, large);
        return s;
    });
    REQUIRE(s.allocated);
    CHECK(s.spare_before == 0);
    CHECK(s.spare_after_frees == 4);
    CHECK(s.spare_after_large == 4);
    CHECK(s.again_is_800);
    CHECK(s.spare_after_again == 3);
}

TEST_CASE("block cache: a block freed on another thread goes to that thread's spares", "[thread_pool]") {
    void *block = block_cache_malloc(nullptr, 256 * kKiB);
    REQUIRE(block != nullptr);
    const size_t live = block_cache_counts().live;
    struct Seen {
        size_t spare_after_free;
        void *reused;
    };
    const Seen s = on_new_thread([&] {
        Seen s{};
        block_cache_free(nullptr, block);
        s.spare_after_free = block_cache_counts().spare;
        s.reused = block_cache_malloc(nullptr, 256 * kKiB);
        block_cache_free(nullptr, s.reused);
        return s;
    });
    CHECK(s.spare_after_free == 1);
    CHECK(s.reused == block);
    CHECK(block_cache_counts().live == live - 1);
}
