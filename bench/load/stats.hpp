#pragma once

/// Latency percentiles from every sample of a run: runs hold at most a few
/// hundred thousand requests, so the exact samples are kept and sorted
/// rather than approximated in buckets.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hat::bench {

struct latency_summary {
  size_t count = 0;
  double p50_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  double max_us = 0;
  double mean_us = 0;
};

/// Nearest-rank percentiles of nanosecond samples; sorts `samples_ns`.
latency_summary summarize(std::vector<int64_t>& samples_ns);

}  // namespace hat::bench
