// A chatter connection fed arbitrary bytes in arbitrary chunks: framing,
// the frame size limit, Msg decoding and Ping/Pong handling.

#include <cstdint>
#include <cstdlib>

#include "protocol/chatter_connection.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hat::chatter;
  if (size == 0)
    return 0;
  // First byte: chunk size; a small frame limit so it is hit often.
  size_t chunk = data[0] % 64 + 1;
  connection conn{{4096, {}, {}}, clock::time_point{}};
  std::vector<char> out;
  auto bytes = reinterpret_cast<const char*>(data) + 1;
  size_t left = size - 1;
  while (left > 0) {
    auto n = std::min(chunk, left);
    auto error = conn.receive(std::span{bytes, n}, clock::time_point{}, out,
                              [&](const received_msg& msg) {
                                if (msg.data.size() > 4096)
                                  std::abort();
                                return true;
                              });
    if (error)
      break;
    bytes += n;
    left -= n;
  }
  return 0;
}
