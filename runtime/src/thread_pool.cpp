// The thread pool behind every parallel loop of the CPU libraries, installed as
// Halide's do_par_for. Halide's own workers go to sleep as soon as a loop ends;
// a block here is two parallel passes of 10-100 us, and waking a sleeping worker
// on a shared VM costs about as much, so half of the processes ran at one-thread
// speed (a 2-thread 1x128x64x64 PRCM took 0.10 or 0.22 ms, process by process).
// These workers spin for a short while after each loop before they sleep.
#include "thread_pool.h"

#include <HalideRuntime.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
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

// One parallel loop. It lives on the caller's stack; workers reach it through
// `current_` and announce themselves in `active_` first, so the caller knows when
// no worker can touch it any more.
struct Loop {
    void *user_context;
    halide_task_t task;
    int min, size;
    uint8_t *closure;
    std::atomic<int> next{0}, finished{0}, error{0};
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
        for (int i = 1; i < threads; i++) workers_.emplace_back([this] { work(); });
    }

    int par_for(void *user_context, halide_task_t task, int min, int size, uint8_t *closure) {
        // A loop inside a task, or a second caller at the same time, runs on its own thread.
        std::unique_lock<std::mutex> loop_lock(loop_mutex_, std::try_to_lock);
        if (in_task_ || !loop_lock.owns_lock() || workers_.empty() || size <= 1) {
            for (int i = 0; i < size; i++) {
                if (int err = task(user_context, min + i, closure); err != 0) return err;
            }
            return 0;
        }
        Loop loop{user_context, task, min, size, closure};
        current_.store(&loop, std::memory_order_seq_cst);
        {
            std::lock_guard<std::mutex> lock(sleep_mutex_);
            generation_.fetch_add(1, std::memory_order_seq_cst);
        }
        sleep_cv_.notify_all();
        run_tasks(loop);
        while (loop.finished.load(std::memory_order_acquire) < size) PRCM_PAUSE();
        // No worker may hold `loop` once this returns.
        current_.store(nullptr, std::memory_order_seq_cst);
        while (active_.load(std::memory_order_seq_cst) != 0) PRCM_PAUSE();
        return loop.error.load(std::memory_order_relaxed);
    }

private:
    static void run_tasks(Loop &loop) {
        in_task_ = true;
        for (int i; (i = loop.next.fetch_add(1, std::memory_order_relaxed)) < loop.size;) {
            if (int err = loop.task(loop.user_context, loop.min + i, loop.closure); err != 0) {
                int expected = 0;
                loop.error.compare_exchange_strong(expected, err);
            }
            loop.finished.fetch_add(1, std::memory_order_release);
        }
        in_task_ = false;
    }

    void work() {
        uint64_t seen = generation_.load(std::memory_order_seq_cst);
        for (;;) {
            // Spin first: a block's next parallel pass starts within microseconds.
            const auto until = std::chrono::steady_clock::now() + kSpin;
            while (generation_.load(std::memory_order_acquire) == seen &&
                   std::chrono::steady_clock::now() < until) {
                for (int k = 0; k < 64; k++) PRCM_PAUSE();
            }
            {
                std::unique_lock<std::mutex> lock(sleep_mutex_);
                sleep_cv_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_acquire) != seen; });
                if (stop_) return;
            }
            seen = generation_.load(std::memory_order_seq_cst);
            active_.fetch_add(1, std::memory_order_seq_cst);
            if (Loop *loop = current_.load(std::memory_order_seq_cst)) run_tasks(*loop);
            active_.fetch_sub(1, std::memory_order_seq_cst);
        }
    }

    std::vector<std::thread> workers_;
    std::mutex loop_mutex_;  // one parallel loop at a time
    std::mutex sleep_mutex_;
    std::condition_variable sleep_cv_;
    bool stop_ = false;
    std::atomic<uint64_t> generation_{0};
    std::atomic<Loop *> current_{nullptr};
    std::atomic<int> active_{0};
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

void install_thread_pool() {
    static std::once_flag once;
    std::call_once(once, [] { halide_set_custom_do_par_for(spinning_do_par_for); });
}

void resize_thread_pool(int threads) {
    install_thread_pool();
    pool().resize(threads > 0 ? threads : default_thread_count());
}

}  // namespace prcm
