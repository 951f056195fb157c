#include "bench/lmdb/figure_table.hpp"

#include <algorithm>
#include <cstdio>

namespace hat::bench {

std::string grouped(uint64_t n) {
  auto digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return out;
}

std::string duration_text(double seconds) {
  char text[32];
  if (seconds < 1e-3)
    std::snprintf(text, sizeof text, "%.1f us", seconds * 1e6);
  else if (seconds < 1)
    std::snprintf(text, sizeof text, "%.2f ms", seconds * 1e3);
  else
    std::snprintf(text, sizeof text, "%.2f s", seconds);
  return text;
}

void figure_table::add(std::string figure, std::string value) {
  rows_.push_back({std::move(figure), std::move(value), "", std::nullopt});
}

void figure_table::add_at_least(std::string figure, std::string value,
                                double measured, std::string target,
                                double target_value) {
  rows_.push_back({std::move(figure), std::move(value), std::move(target),
                   measured / target_value});
}

void figure_table::add_below(std::string figure, double seconds,
                             std::string target, double target_seconds) {
  rows_.push_back({std::move(figure), duration_text(seconds),
                   std::move(target), target_seconds / seconds});
}

void figure_table::result(std::string key, double value) {
  results_.emplace_back(std::move(key), value);
}

void figure_table::print() const {
  size_t figure_width = 6;
  size_t value_width = 5;
  for (const auto& r : rows_) {
    figure_width = std::max(figure_width, r.figure.size());
    value_width = std::max(value_width, r.value.size());
  }
  auto width = static_cast<int>(figure_width);
  auto vwidth = static_cast<int>(value_width);
  std::printf("\n%-*s  %*s  %-12s  %7s  %s\n", width, "figure", vwidth,
              "value", "target", "ratio", "status");
  for (const auto& r : rows_) {
    char ratio[16] = "";
    if (r.ratio)
      std::snprintf(ratio, sizeof ratio, "%.2f", *r.ratio);
    const char* status = !r.ratio ? "" : *r.ratio >= 1 ? "met" : "MISSED";
    std::printf("%-*s  %*s  %-12s  %7s  %s\n", width, r.figure.c_str(),
                vwidth, r.value.c_str(), r.target.c_str(), ratio, status);
  }
  std::printf("(ratio: value / target for rates, target / value for times;"
              " >= 1 meets the target)\n\nresult");
  for (const auto& [key, value] : results_)
    std::printf(" %s=%.6g", key.c_str(), value);
  std::printf("\n");
}

}  // namespace hat::bench
