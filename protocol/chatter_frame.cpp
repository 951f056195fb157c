#include "protocol/chatter_frame.hpp"

namespace hat::chatter {

size_t frame_prefix_size(size_t body_size) {
  size_t length_size = 1;
  for (auto rest = body_size >> 8; rest != 0; rest >>= 8)
    ++length_size;
  return 1 + length_size;
}

char* write_frame_prefix(char* out, size_t body_size) {
  auto length_size = frame_prefix_size(body_size) - 1;
  *out++ = static_cast<char>(length_size);
  for (size_t i = length_size; i-- > 0;)
    *out++ = static_cast<char>((body_size >> (8 * i)) & 0xFF);
  return out;
}

frame_decoder::header frame_decoder::parse_header(const char* data,
                                                  size_t size) const {
  header hdr;
  if (size == 0)
    return hdr;
  auto length_size = static_cast<uint8_t>(data[0]);
  if (size < 1u + length_size)
    return hdr;
  // Any length field width is legal; the value is what gets checked, byte
  // by byte so a wide field cannot overflow.
  size_t body_size = 0;
  for (size_t i = 1; i <= length_size; ++i) {
    body_size = (body_size << 8) | static_cast<uint8_t>(data[i]);
    if (body_size > max_frame_size_) {
      hdr.state = header_state::too_large;
      return hdr;
    }
  }
  hdr.state = header_state::complete;
  hdr.prefix_size = 1u + length_size;
  hdr.body_size = body_size;
  return hdr;
}

}  // namespace hat::chatter
