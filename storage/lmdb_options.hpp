#pragma once

/// What the lmdb backend is opened with: the reference's configuration of
/// hat.event.backends.lmdb. Plain values, so the configuration layer can
/// fill them without knowing LMDB.

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "protocol/event.hpp"

namespace hat::storage {

/// When a time-series partition drops its oldest entries (cleanup).
/// Initialised members, so designated initialisers may name only some.
struct partition_limit {
  std::optional<int64_t> min_entries = std::nullopt;
  std::optional<int64_t> max_entries = std::nullopt;
  /// Seconds.
  std::optional<double> duration = std::nullopt;
  /// Bytes, estimated from the TIMESERIES_DATA page counts.
  std::optional<int64_t> size = std::nullopt;
};

struct partition_options {
  hat::order_by order_by = order_by::timestamp;
  std::vector<event_type> subscriptions;
  std::optional<partition_limit> limit;
};

/// The reference's configuration of the lmdb backend.
struct lmdb_backend_options {
  std::filesystem::path db_path;
  std::optional<std::string> identifier;
  /// The reference's `conditions` (see storage/lmdb/conditions.hpp); open()
  /// throws std::invalid_argument when they are malformed.
  boost::json::array conditions;
  std::vector<event_type> latest_subscriptions;
  std::vector<partition_options> timeseries;
  int64_t timeseries_max_results = 4096;
  /// Accepted events kept in memory before a flush is due regardless of
  /// the period (the reference's max_registered_count). Not configurable
  /// in the reference; tests lower it.
  std::size_t max_pending_events = 256 * 1024;
  /// Time-series entries removed per cleanup transaction (the reference's
  /// cleanup_max_results), so that a cleanup never holds the writer long.
  std::size_t cleanup_batch = 1024;
};

}  // namespace hat::storage
