#include "protocol/chatter_codec.hpp"

#include <limits>

#include "protocol/sbs_reader.hpp"

namespace hat::chatter {

namespace {

template <class S>
void put_prefix(S& s, const msg_header& h, std::string_view type,
                size_t payload_size) {
  sbs::put_integer(s, h.id);
  sbs::put_integer(s, h.first);
  sbs::put_bool(s, h.owner);
  sbs::put_bool(s, h.token);
  sbs::put_bool(s, h.last);
  sbs::put_string(s, type);
  sbs::put_count(s, payload_size);
}

}  // namespace

decode_result<msg_view> decode_msg(std::span<const char> body) {
  sbs::reader r{body};
  msg_view msg;
  msg.header.id = r.get_integer();
  msg.header.first = r.get_integer();
  msg.header.owner = r.get_bool();
  msg.header.token = r.get_bool();
  msg.header.last = r.get_bool();
  msg.type = r.get_string();
  auto data = r.get_bytes();
  if (!r.ok())
    return *r.error();
  msg.data = std::span<const char>{data.data(), data.size()};
  return msg;
}

size_t msg_size(const msg_header& header, std::string_view type,
                size_t payload_size) {
  sbs::size_sink sink;
  put_prefix(sink, header, type, payload_size);
  return sink.size + payload_size;
}

bool fits_any_conversation(std::string_view type, size_t payload_size,
                           size_t max_frame_size) {
  msg_header longest{std::numeric_limits<int64_t>::max(),
                     std::numeric_limits<int64_t>::max(), false, true, true};
  return msg_size(longest, type, payload_size) <= max_frame_size;
}

char* write_msg_prefix(char* out, const msg_header& header,
                       std::string_view type, size_t payload_size) {
  sbs::raw_sink sink{out};
  put_prefix(sink, header, type, payload_size);
  return sink.pos;
}

}  // namespace hat::chatter
