#include "protocol/register_intake.hpp"

#include "protocol/chatter_codec.hpp"
#include "protocol/register_validation.hpp"

namespace hat::eventer {

namespace {

/// Worst case of what the encoding of an event adds to its registration:
/// an event id (three 64-bit integers) and a timestamp (a 64-bit second
/// count and microseconds below 10^6), at their longest SBS encodings.
constexpr size_t event_overhead_bound = 3 * 10 + 10 + 3;

bool deliverable(const std::vector<register_event>& events, dialect dialect,
                 size_t max_frame_size) {
  size_t payload = 1 + 10;  // choice index (answer), event count
  for (auto& e : events)
    payload += encoded_size(e, dialect) + event_overhead_bound;
  return chatter::fits_any_conversation(type_name_of<msg_register_res>(),
                                        payload, max_frame_size)
         && chatter::fits_any_conversation(type_name_of<msg_events_notify>(),
                                           payload, max_frame_size);
}

}  // namespace

decode_result<register_intake> take_register_request(
  std::span<const char> data, dialect dialect, size_t max_frame_size) {
  auto req = decode<msg_register_req>(data, dialect);
  if (!req)
    return req.error();
  register_intake intake{std::move(req->events), std::nullopt};
  if (auto why = invalid_register_events_reason(intake.events))
    intake.refusal = "register refused: " + *why;
  else if (!deliverable(intake.events, dialect, max_frame_size))
    intake.refusal = "register of " + std::to_string(intake.events.size())
                     + " events refused: its answer or notification would "
                       "exceed max_frame_size ("
                     + std::to_string(max_frame_size) + " bytes)";
  return intake;
}

}  // namespace hat::eventer
