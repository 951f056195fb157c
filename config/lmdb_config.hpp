#pragma once

/// The `backend` section for `module: lmdb` (hat-event 0.9
/// hat-event://backends/lmdb.yaml), validated with path-named errors such
/// as "backend.timeseries[1].order_by: expected TIMESTAMP or
/// SOURCE_TIMESTAMP, got 'X'".

#include <boost/json.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "protocol/event.hpp"

namespace hat::config {

struct lmdb_limit_config {
  std::optional<double> min_entries;
  std::optional<double> max_entries;
  /// Seconds of history kept.
  std::optional<double> duration;
  /// Bytes of TIMESERIES_DATA that trigger cleanup.
  std::optional<double> size;
};

struct lmdb_partition_config {
  hat::order_by order_by = order_by::timestamp;
  std::vector<event_type> subscriptions;
  std::optional<lmdb_limit_config> limit;
};

struct lmdb_backend_config {
  std::filesystem::path db_path;
  std::optional<std::string> identifier;
  /// Seconds between flushes and between cleanups.
  double flush_period = 1;
  double cleanup_period = 5;
  /// Shape-checked (all / any / json conditions); applied by the backend.
  boost::json::array conditions;
  std::vector<event_type> latest_subscriptions;
  std::vector<lmdb_partition_config> timeseries;
  int64_t timeseries_max_results = 4096;
  int64_t timeseries_event_type_cache_size = 262144;
};

/// Reads `backend` (the whole section, `module` included). Throws
/// config_error with a path under "backend.".
lmdb_backend_config read_lmdb_backend(const boost::json::object& backend);

}  // namespace hat::config
