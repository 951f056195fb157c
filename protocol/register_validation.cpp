#include "protocol/register_validation.hpp"

#include "protocol/event_type.hpp"
#include "protocol/json_validation.hpp"

namespace hat {

std::optional<std::string> invalid_register_event_reason(
  const register_event& e) {
  if (auto why = invalid_event_type_reason(e.type))
    return why;
  // The Hat documentation excludes "/" from subtypes: it separates them
  // when a type is written as one string.
  for (const auto& segment : e.type)
    if (segment.find('/') != std::string::npos)
      return "event type segment '" + segment + "' contains '/'";
  auto type = [&e] { return " of '" + event_type_to_string(e.type) + "'"; };
  if (e.source_timestamp
      && (e.source_timestamp->us < 0
          || e.source_timestamp->us > max_stored_microseconds))
    return "source timestamp microseconds "
           + std::to_string(e.source_timestamp->us) + type()
           + " outside [0, " + std::to_string(max_stored_microseconds) + "]";
  if (e.payload)
    if (auto json = std::get_if<payload_json>(&*e.payload))
      if (auto why = json_text_error(json->text))
        return "invalid JSON payload" + type() + ": " + *why;
  return std::nullopt;
}

std::optional<std::string> invalid_register_events_reason(
  std::span<const register_event> events) {
  for (std::size_t i = 0; i < events.size(); ++i)
    if (auto why = invalid_register_event_reason(events[i]))
      return "event " + std::to_string(i + 1) + " of "
             + std::to_string(events.size()) + ": " + *why;
  return std::nullopt;
}

}  // namespace hat
