#pragma once

/// The reference's on-disk encodings (hat-event 0.9 backends/lmdb/
/// common.py), byte for byte: database names, keys and binary values.
/// JSON values are in json_text.hpp and json_values.hpp.
///
/// Integers are 8-byte big-endian unsigned, so that LMDB's byte order of
/// keys is their numeric order. Encoders are total; decoders check lengths
/// and ranges and return a format_error instead of crashing.

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/event.hpp"
#include "storage/lmdb/format_error.hpp"

namespace hat::storage::lmdb::format {

/// The named databases and their numbers (the reference's DbType; the
/// number is also the first byte of an event reference).
enum class db_type : uint8_t {
  system_settings = 0,
  system_last_event_id = 1,
  system_last_timestamp = 2,
  ref = 3,
  latest_data = 4,
  latest_type = 5,
  timeseries_data = 6,
  timeseries_partition = 7,
  timeseries_count = 8,
};

inline constexpr std::array<db_type, 9> all_db_types = {
  db_type::system_settings,      db_type::system_last_event_id,
  db_type::system_last_timestamp, db_type::ref,
  db_type::latest_data,          db_type::latest_type,
  db_type::timeseries_data,      db_type::timeseries_partition,
  db_type::timeseries_count,
};

/// The LMDB database name, e.g. "TIMESERIES_DATA".
std::string_view db_name(db_type type);

/// Keys of SYSTEM_SETTINGS (the reference's SettingsId).
enum class settings_id : uint64_t { version = 0, identifier = 1 };

/// The database format version stored under settings_id::version.
inline constexpr std::string_view format_version = "0.9";

/// Fixed-size encodings live in arrays: no allocation per key.
template <size_t N>
using bytes = std::array<char, N>;

inline constexpr size_t uint_size = 8;
inline constexpr size_t event_id_size = 24;
inline constexpr size_t timestamp_size = 12;
inline constexpr size_t timeseries_key_size = 44;

/// The bytes of an encoding, as LMDB calls take them.
template <size_t N>
std::string_view view(const bytes<N>& b) {
  return {b.data(), N};
}

/// Keys of every database but REF and TIMESERIES_DATA (server ids, event
/// type refs, partition ids, settings ids) and TIMESERIES_COUNT values.
bytes<uint_size> encode_uint(uint64_t value);
format_result<uint64_t> decode_uint(std::string_view data);

bytes<uint_size> encode_settings_id(settings_id id);
/// Refuses numbers other than 0 and 1 (out_of_range).
format_result<settings_id> decode_settings_id(std::string_view data);

/// REF keys and SYSTEM_LAST_EVENT_ID values: server, session, instance.
/// Components are non-negative in every event; a negative one would be
/// written as its two's complement, which decode refuses (out_of_range).
bytes<event_id_size> encode_event_id(const event_id& id);
format_result<event_id> decode_event_id(std::string_view data);

/// SYSTEM_LAST_TIMESTAMP values and part of time-series keys: s + 2^63
/// (8 bytes), then us (4 bytes), so that byte order is time order.
bytes<timestamp_size> encode_timestamp(const timestamp& t);
/// Refuses microseconds above 999999 (out_of_range).
format_result<timestamp> decode_timestamp(std::string_view data);

/// A TIMESERIES_DATA key: the partition, then the timestamp the partition
/// is ordered by, then the event id (8 + 12 + 24 bytes).
struct timeseries_key {
  uint64_t partition_id = 0;
  hat::timestamp timestamp;
  hat::event_id event_id;
  auto operator<=>(const timeseries_key&) const = default;
};

bytes<timeseries_key_size> encode_timeseries_key(const timeseries_key& key);
format_result<timeseries_key> decode_timeseries_key(std::string_view data);

/// The largest key of `partition_id` at `t`: event id bytes all 0xff, as the
/// reference's range queries use ((1 << 64) - 1 per component), which no
/// event_id can express.
bytes<timeseries_key_size> timeseries_key_upper_bound(uint64_t partition_id,
                                                      const timestamp& t);

/// An event kept in LATEST_DATA under its event type ref.
struct latest_event_ref {
  uint64_t key = 0;
  auto operator<=>(const latest_event_ref&) const = default;
};

/// An event kept in TIMESERIES_DATA.
struct timeseries_event_ref {
  timeseries_key key;
  auto operator<=>(const timeseries_event_ref&) const = default;
};

using event_ref = std::variant<latest_event_ref, timeseries_event_ref>;

/// A REF value: per reference one byte db type (LATEST_DATA or
/// TIMESERIES_DATA), then that database's key, concatenated in the given
/// order (the reference writes a Python set, in no particular order).
std::string encode_event_refs(std::span<const event_ref> refs);
/// The references in stored order. Refuses other db types
/// (unknown_db_type) and truncated entries (wrong_length).
format_result<std::vector<event_ref>> decode_event_refs(std::string_view data);

/// LATEST_DATA and TIMESERIES_DATA values: SBS HatEventer.Event.
std::vector<char> encode_event(const event& e);
/// Refuses what the eventer codec refuses (bad_event); like the reference,
/// ignores bytes after the event.
format_result<event> decode_event(std::string_view data);

}  // namespace hat::storage::lmdb::format
