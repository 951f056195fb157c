#pragma once

/// The JSON values the reference stores, byte for byte: settings
/// (SYSTEM_SETTINGS), event types (LATEST_TYPE) and partition descriptions
/// (TIMESERIES_PARTITION). Encoders take strings of the event model, which
/// are UTF-8 (see append_json_string); decoders accept any JSON text of the
/// right shape and refuse other shapes (unexpected_json).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/event.hpp"
#include "storage/lmdb/format_error.hpp"

namespace hat::storage::lmdb::format {

/// A settings value: a JSON string (VERSION, e.g. `"0.9"` with the quotes;
/// IDENTIFIER) or null for none. The reference never stores null: with no
/// identifier it leaves the entry out.
std::string encode_setting(std::optional<std::string_view> text);
format_result<std::optional<std::string>> decode_setting(
  std::string_view data);

/// A LATEST_TYPE value: the type as a list of strings, e.g. `["a", "b"]`.
std::string encode_event_type(const event_type& type);
format_result<event_type> decode_event_type(std::string_view data);

/// A TIMESERIES_PARTITION value:
/// `{"order": "timestamp", "subscriptions": [["a", "*"]]}`, with "order"
/// "timestamp" or "sourceTimestamp".
struct partition_description {
  hat::order_by order_by = order_by::timestamp;
  /// The reference stores the partition's query types sorted: std::sort of
  /// event types orders them as Python's sorted() does (by UTF-8 bytes,
  /// which is code point order).
  std::vector<event_type> subscriptions;
  bool operator==(const partition_description&) const = default;
};

std::string encode_partition(const partition_description& description);
/// Ignores members other than "order" and "subscriptions", as the
/// reference does.
format_result<partition_description> decode_partition(std::string_view data);

}  // namespace hat::storage::lmdb::format
