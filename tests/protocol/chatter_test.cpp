// The chatter layer: framing under any chunking, the frame size limit,
// message ids, conversations, Ping/Pong and keep-alive deadlines.

#include <doctest/doctest.h>

#include <random>

#include "protocol/chatter_connection.hpp"
#include "tests/protocol/vector_json.hpp"

using namespace hat;
using namespace std::chrono_literals;
using test::from_hex;
using test::to_hex;

namespace {

std::string frame_hex(std::string_view name) {
  for (auto& frame : test::load_vectors("chatter_frames.json"))
    if (frame.at("name").as_string() == name)
      return std::string{frame.at("hex").as_string()};
  FAIL("no chatter frame vector named ", name);
  return {};
}

/// Every frame vector back to back: one stream of several frames.
std::vector<char> all_frames(std::vector<std::string>* bodies) {
  std::vector<char> stream;
  for (auto& frame : test::load_vectors("chatter_frames.json")) {
    auto wire = from_hex(frame.at("hex").as_string());
    stream.insert(stream.end(), wire.begin(), wire.end());
    bodies->push_back(std::string{frame.at("msg_hex").as_string()});
  }
  return stream;
}

}  // namespace

TEST_CASE("chatter: frames come out whole whatever the chunking") {
  std::vector<std::string> expected;
  auto stream = all_frames(&expected);
  std::mt19937 rng{7};
  for (int round = 0; round < 200; ++round) {
    chatter::frame_decoder decoder;
    std::vector<std::string> got;
    size_t pos = 0;
    while (pos < stream.size()) {
      // Chunks from 1 byte to 4 KiB, as a socket may deliver them.
      size_t chunk = std::uniform_int_distribution<size_t>{
        size_t{1}, size_t{round % 2 ? 7u : 4096u}}(rng);
      chunk = std::min(chunk, stream.size() - pos);
      auto error = decoder.feed(std::span{stream.data() + pos, chunk},
                                [&](std::span<const char> body) {
                                  got.push_back(to_hex(body));
                                  return true;
                                });
      REQUIRE(!error);
      pos += chunk;
    }
    REQUIRE(got == expected);
    CHECK(decoder.buffered() == 0);
  }
}

TEST_CASE("chatter: the callback can stop reading") {
  std::vector<std::string> expected;
  auto stream = all_frames(&expected);
  chatter::frame_decoder decoder;
  int frames = 0;
  decoder.feed(stream, [&](auto) { return ++frames < 2; });
  CHECK(frames == 2);
}

TEST_CASE("chatter: oversized frames are refused before buffering") {
  SUBCASE("announced length above the limit") {
    chatter::frame_decoder decoder{1000};
    // 3-byte length 0x0003e9 = 1001.
    auto wire = from_hex("030003e9");
    int frames = 0;
    auto error = decoder.feed(wire, [&](auto) { return ++frames, true; });
    REQUIRE(error);
    CHECK(error->code == decode_errc::frame_too_large);
    CHECK(decoder.buffered() == 0);
    CHECK(frames == 0);
    // The stream stays refused.
    CHECK(decoder.feed(from_hex("0100"), [](auto) { return true; }));
  }
  SUBCASE("a 255-byte length field of 0xff, split across chunks") {
    chatter::frame_decoder decoder;
    std::vector<char> wire(256, static_cast<char>(0xff));
    auto error = decoder.feed(std::span{wire.data(), 5},
                              [](auto) { return true; });
    CHECK(!error);
    error = decoder.feed(std::span{wire.data() + 5, wire.size() - 5},
                         [](auto) { return true; });
    REQUIRE(error);
    CHECK(error->code == decode_errc::frame_too_large);
    CHECK(decoder.buffered() == 0);
  }
  SUBCASE("exactly the limit passes") {
    chatter::frame_decoder decoder{3};
    int frames = 0;
    CHECK(!decoder.feed(from_hex("0103616263"),
                        [&](auto) { return ++frames, true; }));
    CHECK(frames == 1);
  }
  SUBCASE("a bad Msg inside a good frame is an error of the connection") {
    chatter::connection conn;
    std::vector<char> out;
    auto error = conn.receive(from_hex("0102ffff"), chatter::clock::now(),
                              out, [](auto&) { return true; });
    REQUIRE(error);
    CHECK(error->code == decode_errc::truncated);
  }
}

TEST_CASE("chatter: ids, conversations and the reference's frames") {
  auto now = chatter::clock::now();
  chatter::connection client{{}, now};
  chatter::connection server{{}, now};
  std::vector<char> to_server;
  std::vector<char> to_client;

  // The first message of a client: new conversation, expects an answer.
  auto init_req = from_hex("86636c69656e748081828161812a8000");
  auto conv = client.send(to_server, "HatEventer.MsgInitReq", init_req,
                          std::nullopt, false);
  CHECK(conv == chatter::conversation{true, 1});
  CHECK(to_hex(to_server) == frame_hex("eventer_init_req"));

  std::optional<chatter::conversation> server_conv;
  auto error = server.receive(to_server, now, to_client,
                              [&](const chatter::received_msg& msg) {
                                CHECK(msg.first);
                                CHECK_FALSE(msg.last);
                                CHECK(msg.type == "HatEventer.MsgInitReq");
                                CHECK(to_hex(msg.data) == to_hex(init_req));
                                server_conv = msg.conv;
                                return true;
                              });
  CHECK(!error);
  REQUIRE(server_conv);
  CHECK(*server_conv == chatter::conversation{false, 1});

  // The answer carries the client's conversation, owner=false, last=true.
  server.send(to_client, "HatEventer.MsgInitRes", from_hex("8082"),
              server_conv, true);
  CHECK(to_hex(to_client) == frame_hex("eventer_init_res"));

  bool answered = false;
  client.receive(to_client, now, to_server,
                 [&](const chatter::received_msg& msg) {
                   CHECK_FALSE(msg.first);
                   CHECK(msg.last);
                   CHECK(msg.conv == conv);
                   answered = true;
                   return true;
                 });
  CHECK(answered);
  CHECK(client.next_id() == 2);
  CHECK(server.next_id() == 2);
}

TEST_CASE("chatter: pings are answered and never delivered") {
  auto now = chatter::clock::now();
  chatter::connection conn{{}, now};
  std::vector<char> out;
  int delivered = 0;
  auto error = conn.receive(from_hex(frame_hex("ping")), now, out,
                            [&](auto&) { return ++delivered, true; });
  CHECK(!error);
  CHECK(delivered == 0);
  // The reference's pong: our id 1, the pinger's conversation, last=true.
  CHECK(to_hex(out) == frame_hex("pong"));

  out.clear();
  error = conn.receive(from_hex(frame_hex("pong")), now, out,
                       [&](auto&) { return ++delivered, true; });
  CHECK(!error);
  CHECK(delivered == 0);
  CHECK(out.empty());
}

TEST_CASE("chatter: keep-alive pings after silence, gives up after more") {
  auto start = chatter::clock::time_point{} + 1h;
  chatter::connection conn{{chatter::default_max_frame_size, 20s, 10s},
                           start};
  std::vector<char> out;
  CHECK(conn.next_keepalive_check() == start + 20s);
  CHECK(conn.check_keepalive(start + 19s, out)
        == chatter::keepalive_action::none);
  CHECK(out.empty());

  // Traffic postpones the ping.
  auto ping = from_hex(frame_hex("ping"));
  conn.receive(ping, start + 15s, out, [](auto&) { return true; });
  out.clear();
  CHECK(conn.next_keepalive_check() == start + 35s);
  CHECK(conn.check_keepalive(start + 34s, out)
        == chatter::keepalive_action::none);

  CHECK(conn.check_keepalive(start + 35s, out)
        == chatter::keepalive_action::ping_sent);
  bool saw_ping = false;
  chatter::connection peer;
  std::vector<char> peer_out;
  peer.receive(out, start, peer_out, [](auto&) { return true; });
  saw_ping = !peer_out.empty();  // the peer answered with a pong
  CHECK(saw_ping);

  CHECK(conn.next_keepalive_check() == start + 45s);
  CHECK(conn.check_keepalive(start + 44s, out)
        == chatter::keepalive_action::none);
  CHECK(conn.check_keepalive(start + 45s, out)
        == chatter::keepalive_action::timed_out);

  // A pong in time clears the timeout.
  chatter::connection other{{chatter::default_max_frame_size, 20s, 10s},
                            start};
  std::vector<char> other_out;
  CHECK(other.check_keepalive(start + 20s, other_out)
        == chatter::keepalive_action::ping_sent);
  other.receive(peer_out, start + 25s, other_out, [](auto&) { return true; });
  CHECK(other.check_keepalive(start + 31s, other_out)
        == chatter::keepalive_action::none);
  CHECK(other.next_keepalive_check() == start + 45s);
}

TEST_CASE("chatter: keep-alive can be switched off") {
  chatter::connection conn{{chatter::default_max_frame_size, 0s, 0s}};
  std::vector<char> out;
  CHECK(conn.next_keepalive_check() == chatter::clock::time_point::max());
  CHECK(conn.check_keepalive(chatter::clock::now() + 1000h, out)
        == chatter::keepalive_action::none);
  CHECK(out.empty());
}

TEST_CASE("chatter: send_head and the payload after it make send's frame") {
  auto now = chatter::clock::now();
  chatter::connection whole{{}, now};
  chatter::connection split{{}, now};
  std::vector<char> expected;
  std::vector<char> written;
  // Payload sizes around the varint steps of the lengths (127/128 and the
  // frame prefix's one-byte/two-byte lengths).
  for (size_t size : {0, 1, 100, 127, 128, 300, 70000}) {
    INFO("payload size ", size);
    std::vector<char> payload(size, 'x');
    expected.clear();
    written.clear();
    auto a = whole.send(expected, "HatEventer.MsgEventsNotify", payload,
                        std::nullopt, true);
    auto b = split.send_head(written, "HatEventer.MsgEventsNotify",
                             payload.size(), std::nullopt, true);
    CHECK(a == b);
    REQUIRE(written.size() + size == expected.size());
    written.insert(written.end(), payload.begin(), payload.end());
    CHECK(written == expected);
  }
}
