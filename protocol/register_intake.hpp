#pragma once

/// A client's MsgRegisterReq as the server takes it in: decoded, and then
/// accepted or refused as a whole (nothing of a refused request is
/// registered; the client gets an empty MsgRegisterRes and the connection
/// stays).

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/decode_error.hpp"
#include "protocol/event.hpp"
#include "protocol/eventer_codec.hpp"

namespace hat::eventer {

struct register_intake {
  std::vector<register_event> events;
  /// Why the request is refused, as the warning about it says it
  /// ("register refused: ..."), or nothing when it is accepted.
  std::optional<std::string> refusal;
};

/// Decodes `data` (the chatter data of a MsgRegisterReq) and checks that
/// every event can be registered (register_validation.hpp) and that its
/// answer (MsgRegisterRes) and notification (MsgEventsNotify) fit into a
/// frame of `max_frame_size`, so what is accepted can be delivered to
/// every client with the same limit (modules' additions not counted).
/// An error only when the bytes do not decode.
decode_result<register_intake> take_register_request(
  std::span<const char> data, dialect dialect, size_t max_frame_size);

}  // namespace hat::eventer
