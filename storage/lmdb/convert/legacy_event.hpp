#pragma once

/// Events as the v0.6 and v0.7 databases store them: SBS `Event` of the
/// hat-event 0.6 module HatEvent and of the 0.7/0.8 module HatEventer.
///
/// Both schemas have the payload alternatives binary (plain bytes), json
/// (JSON text) and sbs (module, type, data); they differ in the event id:
/// v0.6 has (server, instance), v0.7 (server, session, instance). Encoding
/// rules are SBS 0.7 (wire.md §1), as for v0.9.

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "protocol/event.hpp"
#include "storage/lmdb/format_error.hpp"

namespace hat::storage::lmdb::convert {

/// Opaque bytes, with no type name (v0.9 added one).
struct legacy_binary {
  std::string data;
  bool operator==(const legacy_binary&) const = default;
};

/// JSON text as stored.
struct legacy_json {
  std::string text;
  bool operator==(const legacy_json&) const = default;
};

/// Bytes of an SBS type named by an optional module and a type name.
struct legacy_sbs {
  std::optional<std::string> module;
  std::string type;
  std::string data;
  bool operator==(const legacy_sbs&) const = default;
};

using legacy_payload = std::variant<legacy_binary, legacy_json, legacy_sbs>;

struct legacy_event {
  /// v0.6 events have no session: it is 0 here.
  event_id id;
  event_type type;
  hat::timestamp timestamp;
  std::optional<hat::timestamp> source_timestamp;
  std::optional<legacy_payload> payload;
  bool operator==(const legacy_event&) const = default;
};

/// A v0.6 value of `latest` and `ordered_data`. Refuses (bad_event) what
/// is not an SBS HatEvent.Event; bytes after the event are ignored, as the
/// reference's SBS decoder does.
format::format_result<legacy_event> decode_v06_event(
  std::string_view data);

/// A v0.7 value of LATEST_DATA and ORDERED_DATA (HatEventer.Event of
/// hat-event 0.7/0.8); as decode_v06_event otherwise.
format::format_result<legacy_event> decode_v07_event(
  std::string_view data);

}  // namespace hat::storage::lmdb::convert
