#pragma once

/// The v0.6 layout (hat-event 0.6.0 to 0.6.5): one server per file, five
/// named databases in lower case. Events are in legacy_event.hpp, partition
/// descriptions as v0.7 (v07_format.hpp).
///
/// - system: "server_id" → uint, "last_instance_id" → uint,
///   "last_timestamp" → timestamp;
/// - latest: the event type as JSON text → event;
/// - ordered_data: partition id, timestamp, instance (28 bytes) → event;
/// - ordered_partition: partition id → JSON
///   {"order": 1 or 2, "subscriptions": [...]};
/// - ordered_count: partition id → uint (partitions with a limit only).

#include <array>
#include <cstdint>
#include <string_view>

#include "protocol/event.hpp"
#include "storage/lmdb/format_error.hpp"

namespace hat::storage::lmdb::convert::v06 {

inline constexpr std::string_view system_db = "system";
inline constexpr std::string_view latest_db = "latest";
inline constexpr std::string_view ordered_data_db = "ordered_data";
inline constexpr std::string_view ordered_partition_db = "ordered_partition";
inline constexpr std::string_view ordered_count_db = "ordered_count";

/// The databases whose presence makes a file v0.6.
inline constexpr std::array<std::string_view, 5> db_names = {
  system_db, latest_db, ordered_data_db, ordered_partition_db,
  ordered_count_db};

/// The key of the server id in `system`; the others (last_instance_id,
/// last_timestamp) are not converted: v0.9 keeps the last event id and
/// timestamp, taken from the events themselves.
inline constexpr std::string_view server_id_key = "server_id";

inline constexpr size_t ordered_key_size = 28;

/// What the conversion uses of an ordered_data key. The trailing instance
/// is left out: the converted key takes the event's converted id.
struct ordered_key {
  uint64_t partition_id = 0;
  /// The event's timestamp or source timestamp, per the partition's order.
  hat::timestamp timestamp;
};

/// Refuses keys of another length (wrong_length).
format::format_result<ordered_key> decode_ordered_key(std::string_view data);

}  // namespace hat::storage::lmdb::convert::v06
