// A subscriber that stops reading is disconnected once its unsent data
// passes the configured bound; registration and other subscribers go on.

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include "client/tcp_socket.hpp"
#include "tests/server/server_harness.hpp"

using namespace hat;
using namespace std::chrono_literals;

TEST_CASE("a subscriber that does not read is dropped, nobody waits") {
  auto conf = test::test_server_config();
  // Large enough that a reading client never reaches it, even on a loaded
  // machine under sanitizers; small next to what the sleeper is sent.
  conf.eventer_server.max_send_queue = 16 * 1024 * 1024;
  test::server_harness harness{conf};

  // A raw client that subscribes to everything and then never reads.
  int fd = client::tcp::connect("127.0.0.1", harness.port(),
                                chatter::clock::now() + 5s);
  REQUIRE(client::tcp::write_all(fd, test::init_subscribing_all("sleeper"))
          == 0);

  auto reader = test::subscribe(harness, [&] {
    auto opts = harness.options("reader");
    opts.subscriptions = {{"big", "*"}};
    return opts;
  }());
  auto producer = harness.connect("producer");
  // 60 MB of notifications: far beyond the socket buffers (a few MB on
  // loopback) plus the bound.
  std::string payload(100'000, 'x');
  constexpr int sessions = 600;
  for (int i = 0; i < sessions; ++i) {
    auto events = producer->register_with_response(
      {register_event{{"big", std::to_string(i)}, std::nullopt,
                      payload_binary{"blob", payload}}});
    REQUIRE(events);
  }
  CHECK(reader.events->wait_for_count(sessions, 30s));

  // Only now the sleeper reads: it finds the end of its connection.
  bool closed = false;
  char buf[65536];
  auto deadline = chatter::clock::now() + 10s;
  while (client::tcp::wait_readable(fd, deadline) > 0) {
    if (::recv(fd, buf, sizeof buf, 0) <= 0) {
      closed = true;
      break;
    }
  }
  ::close(fd);
  CHECK(closed);
}
