#pragma once

/// HatChatter.Msg (hat-drivers chatter.sbs): the envelope of every message
/// on an Eventer or Observer connection.
///
///   Msg  = Record { id: Integer, first: Integer, owner: Boolean,
///                   token: Boolean, last: Boolean, data: Data }
///   Data = Record { type: String, data: Bytes }

#include <cstdint>
#include <span>
#include <string_view>

#include "protocol/decode_error.hpp"
#include "protocol/sbs_writer.hpp"

namespace hat::chatter {

struct msg_header {
  /// Per connection and direction, 1, 2, 3, ...
  int64_t id = 0;
  /// Id of the conversation's first message.
  int64_t first = 0;
  /// The sender owns the conversation (sent its first message).
  bool owner = false;
  /// The sender passes the turn (always true in the reference).
  bool token = true;
  /// The conversation ends with this message.
  bool last = true;
  bool operator==(const msg_header&) const = default;
};

/// A decoded Msg whose type and data view the frame body it came from.
struct msg_view {
  msg_header header;
  std::string_view type;
  std::span<const char> data;
};

/// Trailing bytes after the Msg are ignored, as the reference does.
decode_result<msg_view> decode_msg(std::span<const char> body);

/// Size of a Msg carrying a payload of `payload_size` bytes.
size_t msg_size(const msg_header& header, std::string_view type,
                size_t payload_size);

/// Whether a Msg of `type` carrying `payload_size` bytes, sent in any
/// conversation, fits into a frame body of `max_frame_size` bytes: its
/// header counted with every id at its longest encoding. The server checks
/// its answers and notifications with it before it commits to them.
bool fits_any_conversation(std::string_view type, size_t payload_size,
                           size_t max_frame_size);

/// Writes a Msg up to (not including) the payload bytes, which the caller
/// writes right after; returns where they go.
char* write_msg_prefix(char* out, const msg_header& header,
                       std::string_view type, size_t payload_size);

}  // namespace hat::chatter
