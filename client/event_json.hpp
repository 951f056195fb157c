#pragma once

/// The event model as JSON, in the shape hat-event 0.9's own manager tool
/// (`hat-event-manager`, hat.event.manager.common) prints, so output of our
/// client and of the reference can be compared and piped alike:
///
///     {"id": {"server": 1, "session": 2, "instance": 3},
///      "type": ["a", "b"],
///      "timestamp": {"s": 1700000000, "us": 123456},
///      "source_timestamp": null,
///      "payload": null
///               | {"data_type": "json", "data": <any JSON value>}
///               | {"data_type": "binary", "binary_type": "<name>",
///                  "data": "<lower-case hex>"}}
///
/// One addition: a JSON payload whose text is not strict JSON (Python's
/// encoder writes NaN and Infinity) cannot be embedded as a value, so it is
/// written as {"data_type": "json", "text": "<the text as received>"}.
///
/// Readers take a little more than writers write, where that is
/// unambiguous: timestamps also as ISO-8601 text or float seconds, hex in
/// either case, `binary_type` left out for "", `text` instead of `data`.
/// Unknown keys are refused so that a misspelt field is not silently
/// dropped. Every reader throws std::invalid_argument naming the field,
/// e.g. "[2].payload.data: expected hex text".

#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/event.hpp"

namespace hat::client {

boost::json::value timestamp_to_json(timestamp t);

/// {"s": int, "us": 0..999999}, an ISO-8601 string or float seconds.
timestamp timestamp_from_json(const boost::json::value& v);

boost::json::value event_id_to_json(const event_id& id);
event_id event_id_from_json(const boost::json::value& v);

boost::json::value payload_to_json(const event_payload& payload);

/// A JSON payload's value becomes compact text (see json_to_text); its
/// `text`, if given instead, is taken as it is.
event_payload payload_from_json(const boost::json::value& v);

boost::json::value event_to_json(const event& e);
event event_from_json(const boost::json::value& v);

/// {"type": .., "source_timestamp": .., "payload": ..}; the last two may be
/// null or absent when read.
boost::json::value register_event_to_json(const register_event& e);

/// Also accepts an event as printed by event_to_json ("id" and "timestamp"
/// are ignored), so query output can be registered again. The type must be
/// registrable (no wildcards).
register_event register_event_from_json(const boost::json::value& v);

/// A JSON array of register events, or an object whose "events" is one
/// (what query prints). Errors name the element: "[1].type: ...".
std::vector<register_event>
register_events_from_json(const boost::json::value& v);

/// {"events": [...], "more_follows": bool}, as the reference prints it.
boost::json::value query_result_to_json(const query_result& result);

/// Strict JSON (RFC 8259) nested up to 1000 deep, as Python's decoder
/// allows, rather than Boost's default of 32. Throws std::invalid_argument
/// with the parser's message.
boost::json::value json_from_text(std::string_view text);

/// Compact JSON text. Unlike boost::json::serialize, floats are written as
/// Python's repr writes them ("1.5", "100.0", "1e-05") rather than "1.5E0":
/// this text goes to other Hat components and to people.
std::string json_to_text(const boost::json::value& v);

}  // namespace hat::client
