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

#include "storage/lmdb_options.hpp"

namespace hat::config {

/// The backend's own options plus what the event store does with it.
struct lmdb_backend_config : storage::lmdb_backend_options {
  /// Seconds between flushes and between cleanups.
  double flush_period = 1;
  double cleanup_period = 5;
  /// Accepted for the reference; our partition lookup needs no cache.
  int64_t timeseries_event_type_cache_size = 262144;
};

/// Reads `backend` (the whole section, `module` included). Throws
/// config_error with a path under "backend.".
lmdb_backend_config read_lmdb_backend(const boost::json::object& backend);

}  // namespace hat::config
