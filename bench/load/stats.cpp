#include "bench/load/stats.hpp"

#include <algorithm>
#include <cmath>

namespace hat::bench {
namespace {

double percentile_us(const std::vector<int64_t>& sorted, double p) {
  // Nearest rank: the smallest sample with at least p of them at or below.
  auto rank = static_cast<size_t>(std::ceil(p * sorted.size()));
  auto index = std::clamp<size_t>(rank, 1, sorted.size()) - 1;
  return sorted[index] / 1e3;
}

}  // namespace

latency_summary summarize(std::vector<int64_t>& samples_ns) {
  latency_summary summary;
  summary.count = samples_ns.size();
  if (samples_ns.empty())
    return summary;
  std::sort(samples_ns.begin(), samples_ns.end());
  summary.p50_us = percentile_us(samples_ns, 0.5);
  summary.p99_us = percentile_us(samples_ns, 0.99);
  summary.p999_us = percentile_us(samples_ns, 0.999);
  summary.max_us = samples_ns.back() / 1e3;
  double total = 0;
  for (auto sample : samples_ns)
    total += static_cast<double>(sample);
  summary.mean_us = total / samples_ns.size() / 1e3;
  return summary;
}

}  // namespace hat::bench
