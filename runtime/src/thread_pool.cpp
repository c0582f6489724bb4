// The thread pool behind every parallel loop of the CPU libraries, installed as
// Halide's do_par_for. Halide's own workers go to sleep as soon as a loop ends;
// a block here is two parallel passes of 10-100 us, and waking a sleeping worker
// on a shared VM costs about as much, so half of the processes ran at one-thread
// speed (a 2-thread 1x128x64x64 PRCM took 0.10 or 0.22 ms, process by process).
// These workers spin for a short while after each loop before they sleep.
//
// Two habits keep a block's second pass over its input in cache. Each thread takes
// the same contiguous share of every loop (stealing only once its own share is
// done), so when two loops split the same tensor the same way, a core reads back
// what it read itself, from its own L2. And with two threads or more each loop runs
// in the opposite order to the one before it, so the second pass starts with what
// the first read last. On one thread every loop runs forward: there a second pass
// that took its tasks back to front was slower.
// Measured 2026-12-03, AMD EPYC VM, `prcm bench` medians, 7-9 interleaved rounds, 1 thread,
// reversed -> forward: PRCM 8x64x64x64 0.97 -> 0.79 ms (8 of 9 rounds faster), 1x192x64x64
// 0.142 -> 0.124; SE, AffinePRCM, PRCM_SE at 8x64x64x64 0.72-0.79x the time (7 of 7),
// PRCM_AdaptivePool 0.87x; 1x64x64x64 and 1x128x64x64 level to 0.95x. On 2 threads the
// direction's effect was mixed (0.96-1.06x), so the alternation stays there.
#include "thread_pool.h"

#include "block_cache.h"

#include <HalideRuntime.h>

#if defined(__linux__)
#include <sched.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PRCM_PAUSE() _mm_pause()
#else
#define PRCM_PAUSE() std::this_thread::yield()
#endif

namespace prcm {

namespace {

// How long an idle worker keeps spinning before it sleeps.
constexpr auto kSpin = std::chrono::milliseconds(2);

// One thread's share of a loop's tasks: [begin, end), taken from the front or,
// in a reversed loop, from the back, by its owner first and by thieves after.
struct alignas(64) Share {
    std::atomic<int> taken{0};
    int begin = 0, end = 0;
};

// One parallel loop. It lives on the caller's stack; workers reach it through
// `current_` and announce themselves in `active_` first, so the caller knows when
// no worker can touch it any more. Its shares are the pool's, one per thread: one
// loop runs at a time.
struct Loop {
    void *user_context;
    halide_task_t task;
    int min, size;
    uint8_t *closure;
    bool reversed;
    std::vector<Share> &share;
    const int shares;
    std::atomic<int> finished{0}, error{0};

    Loop(void *uc, halide_task_t t, int min_, int size_, uint8_t *c, bool rev, std::vector<Share> &pool_shares)
        : user_context(uc),
          task(t),
          min(min_),
          size(size_),
          closure(c),
          reversed(rev),
          share(pool_shares),
          shares(int(pool_shares.size())) {
        for (int i = 0; i < shares; i++) {
            share[i].taken.store(0, std::memory_order_relaxed);
            share[i].begin = int(int64_t(size) * i / shares);
            share[i].end = int(int64_t(size) * (i + 1) / shares);
        }
    }

    // The next task of share `i`, or -1 when it is all taken.
    int take(int i) {
        Share &s = share[i];
        const int k = s.taken.fetch_add(1, std::memory_order_relaxed);
        if (k >= s.end - s.begin) return -1;
        return reversed ? s.end - 1 - k : s.begin + k;
    }
};

class SpinningPool {
public:
    // `threads` counts the calling thread: threads - 1 workers.
    void resize(int threads) {
        std::lock_guard<std::mutex> loop_lock(loop_mutex_);
        {
            std::lock_guard<std::mutex> lock(sleep_mutex_);
            stop_ = true;
        }
        sleep_cv_.notify_all();
        for (std::thread &w : workers_) w.join();
        workers_.clear();
        stop_ = false;
        shares_ = std::vector<Share>(std::max(1, threads));
        threads_.store(static_cast<int>(shares_.size()), std::memory_order_relaxed);
        for (int i = 1; i < threads; i++) workers_.emplace_back([this, i] { work(i); });
    }

    int threads() const { return threads_.load(std::memory_order_relaxed); }

    int par_for(void *user_context, halide_task_t task, int min, int size, uint8_t *closure) {
        // A loop inside a task, or a second caller at the same time, runs on its own
        // thread; on one thread every loop runs forward (see the top of this file).
        std::unique_lock<std::mutex> loop_lock(loop_mutex_, std::try_to_lock);
        if (in_task_ || !loop_lock.owns_lock() || workers_.empty()) {
            return run_serially(user_context, task, min, size, closure, false);
        }
        const bool reversed = reverse_next_;
        reverse_next_ = !reverse_next_;
        if (size <= 1) return run_serially(user_context, task, min, size, closure, reversed);
        Loop loop(user_context, task, min, size, closure, reversed, shares_);
        caller_cpu_.store(current_cpu(), std::memory_order_relaxed);
        current_.store(&loop, std::memory_order_seq_cst);
        {
            std::lock_guard<std::mutex> lock(sleep_mutex_);
            generation_.fetch_add(1, std::memory_order_seq_cst);
        }
        sleep_cv_.notify_all();
        run_tasks(loop, 0);
        while (loop.finished.load(std::memory_order_acquire) < size) PRCM_PAUSE();
        // No worker may hold `loop` once this returns.
        current_.store(nullptr, std::memory_order_seq_cst);
        while (active_.load(std::memory_order_seq_cst) != 0) PRCM_PAUSE();
        return loop.error.load(std::memory_order_relaxed);
    }

private:
    static int run_serially(void *user_context, halide_task_t task, int min, int size, uint8_t *closure,
                            bool reversed) {
        for (int k = 0; k < size; k++) {
            const int i = reversed ? size - 1 - k : k;
            if (int err = task(user_context, min + i, closure); err != 0) return err;
        }
        return 0;
    }

    // Thread `me` runs its own share, then helps with the others'. It counts the
    // tasks it finished once, at the end: a count after each task moved the counter's
    // line between the cores at every task, and a line's round trip between the AMD
    // EPYC VM's two vCPUs is 330-370 ns in some hours (60-80 in others: the host moves
    // them between core complexes; see docs/schedule-decisions.md).
    // Measured 2026-12-05, AMD EPYC VM, 2 threads, median of medians of 5 interleaved rounds, ms, in a 350 ns hour: PRCM 1x64x64x64 0.0283 -> 0.0265, SE 1x64x32x32 0.0098 -> 0.0093, InvertedBottleneck 1x64x64x64 0.731 -> 0.730, 1x128x8x8 r = 4 0.0858 -> 0.0855, with its channels split 1x128x4x4 r = 4 0.0568 -> 0.0538 (in a 80 ns hour 0.0301 -> 0.0294).
    static void run_tasks(Loop &loop, int me) {
        in_task_ = true;
        int done = 0;
        for (int s = 0; s < loop.shares; s++) {
            const int from = (me + s) % loop.shares;
            for (int i; (i = loop.take(from)) >= 0; done++) {
                if (int err = loop.task(loop.user_context, loop.min + i, loop.closure); err != 0) {
                    int expected = 0;
                    loop.error.compare_exchange_strong(expected, err);
                }
            }
        }
        in_task_ = false;
        if (done > 0) loop.finished.fetch_add(done, std::memory_order_release);
    }

    // Linux wakes a sleeping thread on its waker's CPU when it deems that CPU's cache
    // worth it; a woken worker then spins beside its caller on one core until the
    // load balancer moves one of them, milliseconds later: longer than a block's call.
    // A worker woken there moves itself (move_off_cpu).
    // Measured 2026-12-04, Intel Xeon VM, PRCM 1x64x64x64 on 2 threads, rounds of 60
    // calls after 0.3 s idle, 3 processes of 12 rounds each: 21 of 36 rounds near
    // one-thread speed (0.059-0.094 ms against 0.028-0.045), 0 of 36 after.
    void leave_callers_cpu() {
        const int cpu = current_cpu();
        if (cpu >= 0 && cpu == caller_cpu_.load(std::memory_order_relaxed)) move_off_cpu(cpu);
    }

    static int current_cpu() {
#if defined(__linux__)
        return sched_getcpu();
#else
        return -1;
#endif
    }

    // Worker `me` (1, 2, ...; the caller is 0).
    void work(int me) {
        uint64_t seen = generation_.load(std::memory_order_seq_cst);
        for (;;) {
            // Spin first: a block's next parallel pass starts within microseconds.
            const auto until = std::chrono::steady_clock::now() + kSpin;
            while (generation_.load(std::memory_order_acquire) == seen && std::chrono::steady_clock::now() < until) {
                for (int k = 0; k < 64; k++) PRCM_PAUSE();
            }
            bool slept = false;
            {
                std::unique_lock<std::mutex> lock(sleep_mutex_);
                sleep_cv_.wait(lock, [&] {
                    const bool go = stop_ || generation_.load(std::memory_order_acquire) != seen;
                    slept = slept || !go;
                    return go;
                });
                if (stop_) return;
            }
            if (slept) leave_callers_cpu();
            seen = generation_.load(std::memory_order_seq_cst);
            active_.fetch_add(1, std::memory_order_seq_cst);
            if (Loop *loop = current_.load(std::memory_order_seq_cst)) run_tasks(*loop, me);
            active_.fetch_sub(1, std::memory_order_seq_cst);
        }
    }

    std::vector<std::thread> workers_;
    std::vector<Share> shares_;  // one per thread, the caller's first; reset by each loop
    std::mutex loop_mutex_;      // one parallel loop at a time
    std::mutex sleep_mutex_;
    std::condition_variable sleep_cv_;
    bool stop_ = false;
    bool reverse_next_ = false;  // under loop_mutex_
    std::atomic<uint64_t> generation_{0};
    std::atomic<Loop *> current_{nullptr};
    std::atomic<int> active_{0};
    std::atomic<int> threads_{1};      // shares_.size(), for readers outside loop_mutex_
    std::atomic<int> caller_cpu_{-1};  // the CPU the current loop's caller ran on when it started it
    static thread_local bool in_task_;
};

thread_local bool SpinningPool::in_task_ = false;

int default_thread_count() {
    if (const char *env = std::getenv("HL_NUM_THREADS"); env && std::atoi(env) > 0) return std::atoi(env);
    return std::max(1u, std::thread::hardware_concurrency());
}

SpinningPool &pool() {
    static SpinningPool *p = [] {
        auto *made = new SpinningPool();  // never destroyed: libraries may run during exit
        made->resize(default_thread_count());
        return made;
    }();
    return *p;
}

int spinning_do_par_for(void *user_context, halide_task_t task, int min, int size, uint8_t *closure) {
    return pool().par_for(user_context, task, min, size, closure);
}

}  // namespace

bool move_off_cpu(int cpu) {
#if defined(__linux__)
    // Its CPU taken out of its affinity for a moment (the kernel migrates it at once),
    // then the affinity given back.
    cpu_set_t allowed, elsewhere;
    if (cpu < 0 || sched_getcpu() != cpu) return false;
    if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0 || !CPU_ISSET(cpu, &allowed)) return false;
    elsewhere = allowed;
    CPU_CLR(cpu, &elsewhere);
    if (CPU_COUNT(&elsewhere) == 0 || sched_setaffinity(0, sizeof(elsewhere), &elsewhere) != 0) return false;
    sched_setaffinity(0, sizeof(allowed), &allowed);
    return true;
#else
    (void)cpu;
    return false;
#endif
}

void install_thread_pool() {
    static std::once_flag once;
    std::call_once(once, [] { halide_set_custom_do_par_for(spinning_do_par_for); });
    install_block_cache();  // the tasks' tiles, kept from call to call (block_cache.cpp)
}

int thread_pool_threads() { return pool().threads(); }

void resize_thread_pool(int threads) {
    install_thread_pool();
    pool().resize(threads > 0 ? threads : default_thread_count());
}

}  // namespace prcm
