// Keep-alive counts complete messages only, and the framing gives back
// what a big frame made it hold.

#include <doctest/doctest.h>

#include "protocol/chatter_connection.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

/// A whole Ping frame from a peer.
std::vector<char> ping_frame() {
  chatter::connection peer;
  std::vector<char> out;
  peer.send(out, chatter::ping_type, std::span<const char>{}, std::nullopt,
            false);
  return out;
}

}  // namespace

TEST_CASE("chatter: bytes of an unfinished frame do not count as life") {
  auto start = chatter::clock::time_point{} + 1h;
  chatter::connection conn{{chatter::default_max_frame_size, 20s, 10s},
                           start};
  std::vector<char> out;
  auto ignore = [](auto&) { return true; };
  // A frame announcing 100 bytes, trickled a byte every 5 s.
  std::vector<char> frame{1, 100};
  frame.resize(102, 'x');
  for (int i = 0; i < 6; ++i)
    conn.receive(std::span<const char>{&frame[i], 1}, start + i * 5s, out,
                 ignore);
  CHECK(conn.partial_frame_bytes() == 6);
  CHECK(conn.next_keepalive_check() == start + 20s);
  CHECK(conn.check_keepalive(start + 20s, out)
        == chatter::keepalive_action::ping_sent);
  conn.receive(std::span<const char>{&frame[6], 1}, start + 25s, out, ignore);
  CHECK(conn.check_keepalive(start + 30s, out)
        == chatter::keepalive_action::timed_out);

  // A complete frame is life: the ping is answered.
  chatter::connection other{{chatter::default_max_frame_size, 20s, 10s},
                            start};
  CHECK(other.check_keepalive(start + 20s, out)
        == chatter::keepalive_action::ping_sent);
  other.receive(ping_frame(), start + 25s, out, ignore);
  CHECK(other.next_keepalive_check() == start + 45s);
}

TEST_CASE("chatter: a big frame's buffer is freed once it is complete") {
  chatter::frame_decoder decoder;
  size_t body = 4 * 1024 * 1024;
  std::vector<char> prefix(chatter::frame_prefix_size(body));
  chatter::write_frame_prefix(prefix.data(), body);
  std::vector<char> payload(body, 'b');
  int frames = 0;
  auto count = [&](std::span<const char> got) {
    CHECK(got.size() == body);
    return ++frames, true;
  };
  CHECK_FALSE(decoder.feed(prefix, count));
  // Half now, half later: the decoder carries the first half over.
  std::span<const char> all{payload};
  CHECK_FALSE(decoder.feed(all.first(body / 2), count));
  CHECK(decoder.buffered() == prefix.size() + body / 2);
  CHECK_FALSE(decoder.feed(all.subspan(body / 2), count));
  CHECK(frames == 1);
  CHECK(decoder.buffered() == 0);
  CHECK(decoder.capacity() <= chatter::frame_decoder::kept_capacity);
}
