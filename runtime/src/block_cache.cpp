// Halide's allocations (a parallel task's tiles: the flat bottleneck's hidden activations
// are 112 pixels by C*r floats, 112 KiB at C*r = 256) kept per thread from one call to the
// next. Halide allocates such a tile in each task and frees it at the task's end; glibc
// hands a worker thread's freed top of heap back to the kernel past 128 KiB (MADV_DONTNEED),
// and the next call's task then took a page fault for every 4 KiB of its tile again: the
// flat twin's wide tiles at 1x64x14x14 (r = 4) ran 0.15 ms on 2 threads against 0.16 on one,
// and 0.083 ms with glibc told to keep its memory (MALLOC_TRIM_THRESHOLD_ and
// MALLOC_MMAP_THRESHOLD_ raised), as with this cache.
//
// Each thread keeps the blocks it freed (kSpareBlocks at most, the largest given back
// first) and hands one out again for a request it fits without wasting half of it. The
// blocks handed out are listed process-wide, so a block freed on another thread than the
// one it was allocated on goes to that thread's spares with its true size; a pointer not in
// the list (allocated before the cache was installed, or past kLiveBlocks) goes back to
// Halide's default allocator, where every block comes from. Blocks under kMinCachedBytes
// go straight to the default allocator: glibc keeps those.
#include "block_cache.h"

#include <HalideRuntime.h>

#include <algorithm>
#include <mutex>
#include <vector>

namespace prcm {

namespace {

constexpr size_t kMinCachedBytes = 64 << 10;
constexpr size_t kMaxCachedBytes = 64 << 20;
constexpr size_t kSpareBlocks = 4;
constexpr size_t kLiveBlocks = 256;  // blocks handed out at once, listed; more go uncached

struct Block {
    void *ptr;
    size_t bytes;
};

struct LiveBlocks {
    std::mutex mutex;
    std::vector<Block> blocks;
    LiveBlocks() { blocks.reserve(kLiveBlocks); }
};

LiveBlocks &live_blocks() {
    static LiveBlocks *live = new LiveBlocks;  // never destroyed: threads may free after exit begins
    return *live;
}

// Set once a thread's spares are gone (at its exit): a free after that (a runtime's
// clean-up at process exit) gives the block back at once.
thread_local bool spare_blocks_gone = false;

struct SpareBlocks {
    std::vector<Block> blocks;  // freed on this thread, kept for its next allocations
    SpareBlocks() { blocks.reserve(kSpareBlocks + 1); }
    ~SpareBlocks() {
        for (const Block &b : blocks) halide_default_free(nullptr, b.ptr);
        spare_blocks_gone = true;
    }
};

std::vector<Block> *spare_blocks() {
    if (spare_blocks_gone) return nullptr;
    thread_local SpareBlocks spare;
    return &spare.blocks;
}

}  // namespace

void *block_cache_malloc(void *user_context, size_t bytes) {
    if (bytes < kMinCachedBytes || bytes > kMaxCachedBytes) return halide_default_malloc(user_context, bytes);
    std::vector<Block> *spare_list = spare_blocks();
    if (!spare_list) return halide_default_malloc(user_context, bytes);
    std::vector<Block> &spare = *spare_list;
    // The smallest spare block that holds the request and is at most twice its size.
    auto best = spare.end();
    for (auto it = spare.begin(); it != spare.end(); ++it) {
        if (it->bytes >= bytes && it->bytes / 2 <= bytes && (best == spare.end() || it->bytes < best->bytes)) best = it;
    }
    Block b{nullptr, bytes};
    if (best != spare.end()) {
        b = *best;
        spare.erase(best);
    } else {
        b.ptr = halide_default_malloc(user_context, bytes);
        if (!b.ptr) return nullptr;
    }
    LiveBlocks &live = live_blocks();
    std::lock_guard<std::mutex> lock(live.mutex);
    if (live.blocks.size() < kLiveBlocks) live.blocks.push_back(b);  // else its free finds it unlisted
    return b.ptr;
}

void block_cache_free(void *user_context, void *ptr) {
    if (!ptr) return;
    Block b{nullptr, 0};
    {
        LiveBlocks &live = live_blocks();
        std::lock_guard<std::mutex> lock(live.mutex);
        auto it = std::find_if(live.blocks.begin(), live.blocks.end(), [&](const Block &l) { return l.ptr == ptr; });
        if (it != live.blocks.end()) {
            b = *it;
            *it = live.blocks.back();
            live.blocks.pop_back();
        }
    }
    std::vector<Block> *spare_list = spare_blocks();
    if (!b.ptr || !spare_list) {  // not handed out by the cache, or this thread is exiting
        halide_default_free(user_context, ptr);
        return;
    }
    std::vector<Block> &spare = *spare_list;
    spare.push_back(b);
    if (spare.size() > kSpareBlocks) {
        auto largest = std::max_element(spare.begin(), spare.end(),
                                        [](const Block &x, const Block &y) { return x.bytes < y.bytes; });
        halide_default_free(user_context, largest->ptr);
        spare.erase(largest);
    }
}

BlockCacheCounts block_cache_counts() {
    LiveBlocks &live = live_blocks();
    std::lock_guard<std::mutex> lock(live.mutex);
    const std::vector<Block> *spare = spare_blocks();
    return {live.blocks.size(), spare ? spare->size() : 0};
}

void install_block_cache() {
    static std::once_flag once;
    std::call_once(once, [] {
        halide_set_custom_malloc(block_cache_malloc);
        halide_set_custom_free(block_cache_free);
    });
}

}  // namespace prcm
