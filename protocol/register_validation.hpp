#pragma once

/// What the server refuses to register, checked wherever events enter
/// (client connections, modules; peers later), so that nothing stored or
/// relayed can make a client that follows the Hat documentation fail.

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "protocol/event.hpp"

namespace hat {

/// Largest microseconds value a stored timestamp can hold (the LMDB key
/// has four bytes for it). Values of 1'000'000 and more are stored as sent,
/// as the reference does; they order lexicographically by (s, us).
inline constexpr int64_t max_stored_microseconds = UINT32_MAX;

/// Why `e` cannot be registered, or nothing when it can: a reserved type
/// segment ("?", "*") or a "/" in a segment, a source timestamp whose
/// microseconds are negative or beyond `max_stored_microseconds`, or a JSON
/// payload that is not strict JSON text (see json_validation.hpp).
std::optional<std::string> invalid_register_event_reason(
  const register_event& e);

/// The first reason any of `events` has, naming its position in the
/// request, or nothing when all can be registered.
std::optional<std::string> invalid_register_events_reason(
  std::span<const register_event> events);

}  // namespace hat
