// Paired measurement for the ratios bench/run reports: each iteration times the floor and the
// case back to back on this thread's CPU clock, alternating which goes first, so load from
// other users of the machine lands on both sides of the ratio rather than on one benchmark.
// Counters: floor_ns, case_ns (per iteration) and ratio = case / floor.
#pragma once

#include <cstdint>
#include <ctime>

#include <benchmark/benchmark.h>

namespace veritee::bench {

inline std::int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

template <class Floor, class Case>
void paired(benchmark::State& state, Floor floor, Case op) {
  std::int64_t floor_ns = 0;
  std::int64_t case_ns = 0;
  bool floor_first = true;
  for (auto _ : state) {
    if (floor_first) {
      auto t0 = thread_cpu_ns();
      floor();
      auto t1 = thread_cpu_ns();
      op();
      auto t2 = thread_cpu_ns();
      floor_ns += t1 - t0;
      case_ns += t2 - t1;
    } else {
      auto t0 = thread_cpu_ns();
      op();
      auto t1 = thread_cpu_ns();
      floor();
      auto t2 = thread_cpu_ns();
      case_ns += t1 - t0;
      floor_ns += t2 - t1;
    }
    floor_first = !floor_first;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["floor_ns"] = static_cast<double>(floor_ns) / n;
  state.counters["case_ns"] = static_cast<double>(case_ns) / n;
  state.counters["ratio"] =
      floor_ns ? static_cast<double>(case_ns) / static_cast<double>(floor_ns) : 0;
}

}  // namespace veritee::bench
