#pragma once

/// A v0.6/v0.7 event as v0.9 stores it (the reference's
/// convert_v07_to_v09 payload mapping):
/// - binary data → binary {type: "", data};
/// - json text → json, the text decoded and encoded again as json.dumps
///   writes it;
/// - sbs {module, type, data} → binary {type: "module.type" (or "type"
///   without a module), data}.
/// Id, type and timestamps are kept.

#include <string>
#include <string_view>

#include "protocol/event.hpp"
#include "storage/lmdb/convert/legacy_event.hpp"
#include "storage/lmdb/format_error.hpp"

namespace hat::storage::lmdb::convert {

/// Fails only on a JSON payload that is not JSON (bad_json) or holds what
/// json.dumps refuses (not_encodable).
format::format_result<event> upgrade_event(const legacy_event& old);

/// JSON payload text as the reference leaves it: Python's json.loads, then
/// json.dumps. One exception: a text holding an integer beyond 64 bits is
/// returned as stored (after checking it is JSON), since Boost.JSON would
/// turn the integer into a double where Python keeps it exact, and for
/// text json.dumps wrote (every v0.6/v0.7 server did) Python's round trip
/// gives the text back unchanged.
format::format_result<std::string> reencode_json_payload(
  std::string_view text);

}  // namespace hat::storage::lmdb::convert
