#pragma once

/// Clocks and summaries shared by the LMDB benchmark's phases.

#include <algorithm>
#include <chrono>
#include <vector>

namespace hat::bench {

using bench_clock = std::chrono::steady_clock;

inline double seconds_since(bench_clock::time_point start) {
  return std::chrono::duration<double>(bench_clock::now() - start).count();
}

/// Median and largest of a set of durations, in seconds.
struct spread {
  double median = 0;
  double max = 0;
};

inline spread summarize(std::vector<double> seconds) {
  if (seconds.empty())
    return {};
  std::sort(seconds.begin(), seconds.end());
  return {seconds[seconds.size() / 2], seconds.back()};
}

/// Seconds per call of `work`: the median and the slowest of `repeats`
/// runs, each run calling it often enough to last about 20 ms (once when a
/// single call is slower, and then the first, calibrating call counts as
/// a run), so that microsecond queries are not lost in clock resolution.
template <class Work>
spread time_per_call(int repeats, Work&& work) {
  auto start = bench_clock::now();
  work();
  double once = std::max(seconds_since(start), 1e-7);
  int iterations = once >= 0.02 ? 1 : static_cast<int>(0.02 / once) + 1;
  std::vector<double> runs;
  if (iterations == 1)
    runs.push_back(once);
  while (static_cast<int>(runs.size()) < repeats) {
    start = bench_clock::now();
    for (int i = 0; i < iterations; ++i)
      work();
    runs.push_back(seconds_since(start) / iterations);
  }
  return summarize(std::move(runs));
}

}  // namespace hat::bench
