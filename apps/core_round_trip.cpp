// How far apart two CPUs are: the round trip of one cache line between a thread on
// each, bounced through an atomic counter. On the AMD EPYC VM the two vCPUs were
// 60-80 ns apart in some hours and 330-370 ns in others (the host moves them between
// core complexes); a call that splits its work across them, and hands data from one
// to the other, is fast in the first and slow in the second (docs/schedule-decisions.md,
// "Two distances between the vCPUs"). Run it beside a timing to know which hour it was.
//
//   build/bin/core_round_trip [CPU_A CPU_B]     (built with the project; CPUs 0 and 1 by default)
//
// Prints the minimum, median and maximum of 7 rounds of 200,000 round trips, in ns.
// Exit status 2 for bad arguments or a CPU the process may not run on.
#include <pthread.h>
#include <sched.h>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

alignas(64) std::atomic<long> counter{0};

bool pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

}  // namespace

int main(int argc, char **argv) {
    int a = 0, b = 1;
    if (argc == 3) {
        char *end_a, *end_b;
        a = int(std::strtol(argv[1], &end_a, 10));
        b = int(std::strtol(argv[2], &end_b, 10));
        if (*end_a || *end_b || a < 0 || b < 0 || a == b || a >= CPU_SETSIZE || b >= CPU_SETSIZE) {
            std::fprintf(stderr, "usage: %s [CPU_A CPU_B] (two different CPU numbers)\n", argv[0]);
            return 2;
        }
    } else if (argc != 1) {
        std::fprintf(stderr, "usage: %s [CPU_A CPU_B]\n", argv[0]);
        return 2;
    }
    constexpr long kTrips = 200000;
    constexpr int kRounds = 7;
    std::vector<double> ns;
    for (int round = 0; round < kRounds; round++) {
        counter.store(0);
        bool pinned_b = true;
        std::thread echo([&] {
            pinned_b = pin(b);
            for (long i = 0; i < kTrips; i++) {
                while (counter.load(std::memory_order_acquire) != 2 * i + 1) {
                }
                counter.store(2 * i + 2, std::memory_order_release);
            }
        });
        if (!pin(a)) {
            std::fprintf(stderr, "cannot run on CPU %d\n", a);
            std::_Exit(2);  // the echo thread spins on; nothing to clean up
        }
        const auto start = std::chrono::steady_clock::now();
        for (long i = 0; i < kTrips; i++) {
            counter.store(2 * i + 1, std::memory_order_release);
            while (counter.load(std::memory_order_acquire) != 2 * i + 2) {
            }
        }
        ns.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() /
                     kTrips);
        echo.join();
        if (!pinned_b) {
            std::fprintf(stderr, "cannot run on CPU %d\n", b);
            return 2;
        }
    }
    std::sort(ns.begin(), ns.end());
    std::printf("CPU %d <-> CPU %d, a cache line's round trip: min %.0f ns, median %.0f ns, max %.0f ns\n", a, b,
                ns.front(), ns[kRounds / 2], ns.back());
    return 0;
}
