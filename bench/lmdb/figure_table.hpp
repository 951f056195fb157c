#pragma once

/// The LMDB benchmark's summary: one row per figure with its target and
/// how far it is from it, then one `result key=value ...` line for scripts
/// that take medians over runs.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hat::bench {

/// "12,345,678".
std::string grouped(uint64_t n);
/// "412 us", "3.21 ms", "1.23 s".
std::string duration_text(double seconds);

class figure_table {
public:
  /// A figure without a target.
  void add(std::string figure, std::string value);
  /// A figure that must reach at least `target`: ratio value / target.
  void add_at_least(std::string figure, std::string value, double measured,
                    std::string target, double target_value);
  /// A duration that must stay below `target_seconds`: ratio target /
  /// value, so that in every row a ratio >= 1 meets the target.
  void add_below(std::string figure, double seconds, std::string target,
                 double target_seconds);
  /// A key for the result line.
  void result(std::string key, double value);

  void print() const;

private:
  struct row {
    std::string figure;
    std::string value;
    std::string target;
    std::optional<double> ratio;
  };
  std::vector<row> rows_;
  std::vector<std::pair<std::string, double>> results_;
};

}  // namespace hat::bench
