#pragma once

/// What every message codec of a chatter protocol shares: its messages, a
/// std::variant, are named by their SBS type names in variant order, read
/// by one function each and written by one `put(sink, message)`.

#include <span>
#include <string_view>
#include <vector>

#include "protocol/decode_error.hpp"
#include "protocol/sbs_reader.hpp"
#include "protocol/sbs_writer.hpp"

namespace hat::sbs {

template <class Message>
struct message_kind {
  /// "HatObserver.MsgClient", ...
  std::string_view name;
  Message (*get)(reader&);
};

/// Decodes the chatter `data.data` of the message named `type_name` with
/// its kind's reader; an unknown name is unknown_message_type. Trailing
/// bytes are ignored, as the reference does.
template <class Message, size_t N>
decode_result<Message> decode_named(const message_kind<Message> (&kinds)[N],
                                    std::string_view type_name,
                                    std::span<const char> data) {
  for (auto& kind : kinds) {
    if (kind.name != type_name)
      continue;
    reader r{data};
    auto msg = kind.get(r);
    if (!r.ok())
      return *r.error();
    return msg;
  }
  return decode_error{decode_errc::unknown_message_type, 0};
}

/// Size of what `put(sink, msg)` writes.
template <class Message, class Put>
size_t measure(const Message& msg, Put&& put) {
  size_sink sink;
  put(sink, msg);
  return sink.size;
}

/// Writes `msg` at `out` (room for measure() bytes); returns the end.
template <class Message, class Put>
char* write_at(char* out, const Message& msg, Put&& put) {
  raw_sink sink{out};
  put(sink, msg);
  return sink.pos;
}

}  // namespace hat::sbs
