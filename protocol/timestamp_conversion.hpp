#pragma once

/// Conversions of timestamps to and from float seconds and ISO-8601 text,
/// with the rounding of the reference (hat.event.common).

#include <optional>
#include <string>
#include <string_view>

#include "protocol/event.hpp"

namespace hat {

/// s + us * 1e-6, as the reference's timestamp_to_float.
double timestamp_to_float(timestamp t);

/// Floor to whole seconds, round the remainder to microseconds (a rounded
/// 1'000'000 carries into the next second), as the reference's
/// timestamp_from_float. Nothing for NaN, infinities and values outside the
/// int64 seconds range.
std::optional<timestamp> timestamp_from_float(double seconds);

/// UTC as "YYYY-MM-DDTHH:MM:SS.ffffffZ" (always six fraction digits). Years
/// outside 0..9999 are written with a sign and at least four digits.
std::string timestamp_to_iso8601(timestamp t);

/// Accepts "YYYY-MM-DDTHH:MM:SS" with an optional fraction (1 to 9 digits,
/// truncated to microseconds), a "T" or a space between date and time, and
/// "Z", "+HH:MM", "-HH:MM" or nothing (UTC) for the zone. Nothing when the
/// text is not such a date, a field is out of range, or the result does not
/// fit a timestamp.
std::optional<timestamp> timestamp_from_iso8601(std::string_view text);

/// The current system time.
timestamp timestamp_now();

}  // namespace hat
