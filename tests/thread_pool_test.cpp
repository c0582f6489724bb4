// The runtime's thread pool (runtime/src/thread_pool.cpp) as Halide's parallel loops
// reach it, through halide_do_par_for: every task runs exactly once, whatever the
// shares, the direction, stealing, nesting or a second caller; a task's error comes back.
#include "thread_pool.h"
#include "test_support.h"

#include <HalideRuntime.h>

#include <atomic>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif

using namespace prcm;

namespace {

struct Counts {
    std::vector<std::atomic<int>> runs;
    std::atomic<int> nested_runs{0};
    int fail_at = -1;   // the task that returns an error, if any
    bool nest = false;  // each task runs a parallel loop of its own
    explicit Counts(int size) : runs(size) {}
};

int count_nested(void *, int, uint8_t *closure) {
    reinterpret_cast<Counts *>(closure)->nested_runs++;
    return 0;
}

int count_task(void *user_context, int i, uint8_t *closure) {
    auto *counts = reinterpret_cast<Counts *>(closure);
    counts->runs[i]++;
    if (counts->nest) {
        if (int err = halide_do_par_for(user_context, count_nested, 0, 3, closure); err != 0) return err;
    }
    return i == counts->fail_at ? 7 : 0;
}

// Runs a loop of `size` tasks; true when each ran exactly once.
bool each_once(int size, bool nest = false) {
    Counts counts(size);
    counts.nest = nest;
    if (halide_do_par_for(nullptr, count_task, 0, size, reinterpret_cast<uint8_t *>(&counts)) != 0) return false;
    for (auto &r : counts.runs) {
        if (r != 1) return false;
    }
    return !nest || counts.nested_runs == 3 * size;
}

}  // namespace

TEST_CASE("thread pool: every task runs once, for loops of any size, in either direction", "[thread_pool]") {
    for (int threads : {1, 2, 3, 8}) {
        set_cpu_threads(threads);
        // Consecutive loops alternate direction, so each size runs twice.
        for (int size : {0, 1, 2, 3, 7, 64, 1000}) {
            INFO(threads << " threads, " << size << " tasks");
            CHECK(each_once(size));
            CHECK(each_once(size));
        }
    }
    set_cpu_threads(0);
}

namespace {
int record_order(void *, int i, uint8_t *closure) {
    reinterpret_cast<std::vector<int> *>(closure)->push_back(i);
    return 0;
}
}  // namespace

TEST_CASE("thread pool: on one thread every loop runs forward", "[thread_pool]") {
    // Alternating directions keeps two cores' shares in their L2s; on one thread a
    // reversed second pass was slower (runtime/src/thread_pool.cpp has the figures).
    set_cpu_threads(1);
    for (int loop = 0; loop < 3; loop++) {
        std::vector<int> order;
        REQUIRE(halide_do_par_for(nullptr, record_order, 0, 5, reinterpret_cast<uint8_t *>(&order)) == 0);
        CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
    }
    set_cpu_threads(0);
}

TEST_CASE("thread pool: a loop inside a task runs on that task's thread", "[thread_pool]") {
    set_cpu_threads(2);
    CHECK(each_once(50, true));
    set_cpu_threads(0);
}

TEST_CASE("thread pool: two callers at once each get all their tasks", "[thread_pool]") {
    set_cpu_threads(2);
    std::atomic<int> failures{0};
    std::vector<std::thread> callers;
    for (int t = 0; t < 2; t++) {
        callers.emplace_back([&] {
            for (int k = 0; k < 200; k++) {
                if (!each_once(37)) failures++;
            }
        });
    }
    for (std::thread &c : callers) c.join();
    CHECK(failures == 0);
    set_cpu_threads(0);
}

TEST_CASE("thread pool: a task's error is the loop's result", "[thread_pool]") {
    for (int threads : {1, 2}) {
        set_cpu_threads(threads);
        Counts counts(40);
        counts.fail_at = 13;
        INFO(threads << " threads");
        CHECK(halide_do_par_for(nullptr, count_task, 0, 40, reinterpret_cast<uint8_t *>(&counts)) == 7);
        CHECK(counts.runs[13] == 1);
        for (auto &r : counts.runs) CHECK(r <= 1);
    }
    set_cpu_threads(0);
}

// A worker woken on its caller's CPU moves itself off it (thread_pool.cpp): the thread
// leaves the CPU, and its affinity is what it was.
TEST_CASE("thread pool: a thread moved off its CPU runs elsewhere, its affinity unchanged", "[thread_pool]") {
#if defined(__linux__)
    cpu_set_t before;
    REQUIRE(sched_getaffinity(0, sizeof(before), &before) == 0);
    if (CPU_COUNT(&before) < 2) {
        WARN("one CPU allowed: nowhere to move");
        CHECK_FALSE(move_off_cpu(sched_getcpu()));
        return;
    }
    // sched_getcpu() and the move are not atomic: a migration in between makes the
    // move a no-op (false), so it is tried again.
    bool moved = false;
    int from = -1, now = -1;
    for (int attempt = 0; attempt < 100 && !moved; attempt++) {
        from = sched_getcpu();
        moved = move_off_cpu(from);
        now = sched_getcpu();
    }
    REQUIRE(moved);
    CHECK(now != from);
    cpu_set_t after;
    REQUIRE(sched_getaffinity(0, sizeof(after), &after) == 0);
    CHECK(CPU_EQUAL(&before, &after));
#else
    CHECK_FALSE(move_off_cpu(0));
#endif
}
