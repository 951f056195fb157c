#pragma once

/// The command line of hat-event-lmdb-manager, parsed into what to do.
/// Pure: no file is touched, so every rule can be tested directly.
///
/// Names follow the reference's argparse definitions (manager/query.py,
/// manager/copy.py); see usage.cpp for what differs.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/event.hpp"

namespace hat::tools::lmdb_manager {

/// The command line cannot be used; what() says why (exit code 2).
class usage_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct help_command {};

struct version_command {};

/// SYSTEM_SETTINGS entries.
struct settings_query {};

/// SYSTEM_LAST_EVENT_ID entries, of one server or all.
struct last_event_id_query {
  std::optional<uint64_t> server_id;
};

/// SYSTEM_LAST_TIMESTAMP entries, of one server or all.
struct last_timestamp_query {
  std::optional<uint64_t> server_id;
};

/// REF entries, one line per reference, of one server or all.
struct ref_query {
  std::optional<uint64_t> server_id;
};

/// LATEST_DATA events whose type matches (all when absent).
struct latest_query {
  std::optional<std::vector<event_type>> event_types;
};

/// TIMESERIES_PARTITION entries, of one partition or all.
struct partition_query {
  std::optional<uint64_t> partition_id;
};

/// TIMESERIES_DATA events, filtered by partition, server and type.
struct timeseries_query {
  std::optional<uint64_t> partition_id;
  std::optional<uint64_t> server_id;
  std::optional<std::vector<event_type>> event_types;
};

using query = std::variant<settings_query, last_event_id_query,
                           last_timestamp_query, ref_query, latest_query,
                           partition_query, timeseries_query>;

struct query_command {
  std::filesystem::path db;
  lmdb_manager::query query;
};

struct copy_command {
  std::filesystem::path src;
  std::filesystem::path dst;
  bool skip_latest = false;
  bool skip_timeseries = false;
  /// Only these time-series partitions (an addition to the reference);
  /// all when absent.
  std::optional<std::set<uint64_t>> partition_ids;
};

using command =
  std::variant<help_command, version_command, query_command, copy_command>;

/// `args` without the program name. Throws usage_error.
command parse_arguments(const std::vector<std::string_view>& args);

}  // namespace hat::tools::lmdb_manager
