#pragma once

/// Event type matching: the wildcard rules of hat-event 0.9.
///
/// - "?" matches exactly one segment of any value;
/// - "*" matches zero or more segments and may only be the last segment;
/// - the empty query type matches only the empty event type;
/// - any other segment matches itself.

#include <optional>
#include <string>
#include <string_view>

#include "protocol/event.hpp"

namespace hat {

/// Straightforward matcher for one query type. Subscriptions answer the same
/// question for many query types at once (see subscription.hpp).
bool matches_query_type(const event_type& type, const event_type& query_type);

/// Why `type` cannot be registered (a "?" or "*" segment), or nothing when
/// it can.
std::optional<std::string> invalid_event_type_reason(const event_type& type);

/// Why `query_type` is not a valid query type ("*" before the last segment),
/// or nothing when it is.
std::optional<std::string> invalid_query_type_reason(
  const event_type& query_type);

/// "a/b/c" for log lines and error messages.
std::string event_type_to_string(const event_type& type);

/// Hash of an event type, for the stores that look types up by value:
/// many types share their leading segments, which an ordered map compares
/// again and again.
struct event_type_hash {
  std::size_t operator()(const event_type& type) const noexcept;
};

/// The inverse for text written that way: "a/b/c" -> {"a", "b", "c"},
/// "" -> {} (the empty type), "a//b" -> {"a", "", "b"}.
event_type event_type_from_string(std::string_view text);

}  // namespace hat
