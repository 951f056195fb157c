#pragma once

/// Python's logging.Handler: a level, a formatter and name filters in
/// front of somewhere records go. Records come from every thread at once:
/// emit() must be thread-safe and must never block for long.

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "log/record.hpp"
#include "log/record_format.hpp"

namespace hat::log {

/// logging.Filter(name): passes the logger `name` and its descendants;
/// the empty name passes everything.
bool passes_name_filter(std::string_view filter, std::string_view logger);

class handler {
public:
  handler(int level, record_format format, std::vector<std::string> filters)
    : level_(level), format_(std::move(format)), filters_(std::move(filters)) {
  }
  virtual ~handler() = default;

  /// Python's Handler.handle after callHandlers' level check: the name
  /// filters, then emit.
  void handle(const record& rec) {
    for (const auto& filter : filters_)
      if (!passes_name_filter(filter, rec.name))
        return;
    emit(rec);
  }

  int level() const {
    return level_.load(std::memory_order_relaxed);
  }
  /// An incremental configuration changes only levels, in place.
  void set_level(int level) {
    level_.store(level, std::memory_order_relaxed);
  }

protected:
  virtual void emit(const record& rec) = 0;

  std::string format(const record& rec) const {
    return format_.format(rec);
  }

private:
  std::atomic<int> level_;
  record_format format_;
  std::vector<std::string> filters_;
};

}  // namespace hat::log
