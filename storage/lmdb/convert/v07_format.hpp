#pragma once

/// The v0.7 layout (hat-event 0.7.x and 0.8.x): seven named databases in
/// upper case; integers, event ids, timestamps and time-series keys are
/// encoded as in v0.9 (format.hpp). Events are in legacy_event.hpp.
///
/// - SYSTEM: server id → last event id and its timestamp (24 + 12 bytes);
/// - LATEST_DATA: event type ref → event;
/// - LATEST_TYPE: event type ref → the type as JSON text;
/// - ORDERED_DATA: partition id, timestamp, event id (44 bytes) → event;
/// - ORDERED_PARTITION: partition id → JSON
///   {"order": 1 or 2, "subscriptions": [...]} (as v0.6);
/// - ORDERED_COUNT: partition id → uint;
/// - REF: event id → where the event is, refs concatenated.

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/event.hpp"
#include "storage/lmdb/format.hpp"
#include "storage/lmdb/format_error.hpp"
#include "storage/lmdb/json_values.hpp"

namespace hat::storage::lmdb::convert::v07 {

/// The databases and their numbers (the number tags a ref in REF).
enum class db_type : uint8_t {
  system = 0,
  latest_data = 1,
  latest_type = 2,
  ordered_data = 3,
  ordered_partition = 4,
  ordered_count = 5,
  ref = 6,
};

/// The databases whose presence makes a file v0.7, in the reference's
/// order of checking.
inline constexpr std::array<db_type, 7> all_db_types = {
  db_type::system,       db_type::latest_data,       db_type::latest_type,
  db_type::ordered_data, db_type::ordered_partition, db_type::ordered_count,
  db_type::ref,
};

/// The LMDB database name, e.g. "ORDERED_DATA".
std::string_view db_name(db_type type);

/// A SYSTEM value.
struct system_value {
  event_id last_event_id;
  hat::timestamp last_timestamp;
};

/// Refuses values of another length than 36 bytes (wrong_length) and
/// event id components above INT64_MAX (out_of_range).
format::format_result<system_value> decode_system_value(
  std::string_view data);

/// A REF value: per ref the byte 1 and a LATEST_DATA key, or the byte 3
/// and an ORDERED_DATA key. The keys are v0.9's (LATEST_DATA and
/// TIMESERIES_DATA keep them), so the refs come back as v0.9 refs, in
/// stored order. Refuses other tags (unknown_db_type) and truncated refs
/// (wrong_length).
format::format_result<std::vector<format::event_ref>> decode_event_refs(
  std::string_view data);

/// An ORDERED_PARTITION value (and a v0.6 ordered_partition value): "order"
/// 1 is timestamp, 2 source timestamp; "subscriptions" a list of event
/// types. Refuses other orders and shapes (unexpected_json), which the
/// reference would copy into a v0.9 file its backend cannot open.
format::format_result<format::partition_description> decode_partition(
  std::string_view data);

}  // namespace hat::storage::lmdb::convert::v07
