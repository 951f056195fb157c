// Output written straight to the socket and output CAF writes take turns
// (actors/direct_output.hpp): a subscriber that stops reading makes CAF
// take over, one that reads again brings the direct writes back; every
// notification arrives whole and in order across both hand-overs.

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include "client/tcp_socket.hpp"
#include "protocol/chatter_connection.hpp"
#include "protocol/eventer_codec.hpp"
#include "tests/server/server_harness.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

/// A raw subscriber that reads only when told to, decoding every frame.
struct raw_subscriber {
  int fd = -1;
  chatter::connection framer;
  std::vector<char> pongs;
  /// Instances of the `order/*` events notified, in arrival order.
  std::vector<int64_t> order;
  bool malformed = false;

  /// Reads until `count` order events came (bounded); false on timeout,
  /// a closed connection or a malformed frame.
  bool read_until(size_t count) {
    char buf[65536];
    auto deadline = chatter::clock::now() + 20s;
    while (order.size() < count && !malformed) {
      if (client::tcp::wait_readable(fd, deadline) <= 0)
        return false;
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0)
        return false;
      auto error = framer.receive(
        std::span<const char>{buf, static_cast<size_t>(n)},
        chatter::clock::now(), pongs, [&](const chatter::received_msg& m) {
          if (m.type != eventer::type_name_of<eventer::msg_events_notify>())
            return true;
          auto notify = eventer::decode<eventer::msg_events_notify>(m.data);
          if (!notify) {
            malformed = true;
            return false;
          }
          for (auto& e : notify->events)
            if (!e.type.empty() && e.type.front() == "order")
              order.push_back(std::stoll(e.type.back()));
          return true;
        });
      if (error)
        malformed = true;
    }
    return !malformed;
  }
};

}  // namespace

TEST_CASE("send path: a subscriber that pauses gets everything, in order, "
          "whoever wrote it") {
  auto conf = test::test_server_config();
  conf.eventer_server.max_send_queue = 64 * 1024 * 1024;
  test::server_harness harness{conf};
  raw_subscriber sub;
  sub.fd = client::tcp::connect("127.0.0.1", harness.port(),
                                chatter::clock::now() + 5s);
  REQUIRE(sub.fd >= 0);
  REQUIRE(client::tcp::write_all(sub.fd, test::init_subscribing_all("pauser"))
          == 0);
  auto producer = harness.connect("producer");
  auto produce = [&](int from, int to, size_t payload_bytes) {
    std::string payload(payload_bytes, 'x');
    for (int i = from; i < to; ++i)
      REQUIRE(producer->register_with_response(
        {register_event{{"order", std::to_string(i)}, std::nullopt,
                        payload_binary{"blob", payload}}}));
  };
  // Read while small notifications come: written straight to the socket.
  produce(0, 50, 100);
  REQUIRE(sub.read_until(50));
  // Not reading: 20 MB, far beyond the socket buffers, so CAF holds the
  // rest (and the notifications after it queue behind) until it is read.
  produce(50, 250, 100'000);
  REQUIRE(sub.read_until(250));
  // Reading again: small ones once more.
  produce(250, 300, 100);
  REQUIRE(sub.read_until(300));
  CHECK_FALSE(sub.malformed);
  REQUIRE(sub.order.size() == 300);
  for (int64_t i = 0; i < 300; ++i)
    CHECK(sub.order[static_cast<size_t>(i)] == i);
  ::close(sub.fd);
}
