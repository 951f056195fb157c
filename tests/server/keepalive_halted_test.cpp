// While a connection has stopped reading because its requests are not
// answered yet, the client's pong may be unread in the socket: keep-alive
// neither pings nor drops such a client.

#include <doctest/doctest.h>

#include <poll.h>
#include <sys/socket.h>

#include "tests/server/one_connection.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

/// The client's side of the socket: counts the frames the server sends by
/// type (a ping is counted, not answered).
struct client_reader {
  explicit client_reader(int socket) : fd(socket) {}

  int fd;
  chatter::connection framer{chatter::connection_options{}};
  std::map<std::string, int, std::less<>> received;
  bool closed = false;

  /// Reads what arrives within `bound`; false when nothing did.
  bool read_some(std::chrono::milliseconds bound) {
    pollfd in{fd, POLLIN, 0};
    if (::poll(&in, 1, static_cast<int>(bound.count())) <= 0)
      return false;
    char buf[4096];
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      closed = true;
      return true;
    }
    std::vector<char> unsent_pongs;
    auto error = framer.receive(std::span<const char>{buf, size_t(n)},
                                chatter::clock::now(), unsent_pongs,
                                [this](const chatter::received_msg& m) {
                                  ++received[std::string{m.type}];
                                  return true;
                                });
    closed = closed || error.has_value();
    return true;
  }

  /// Reads until `count` frames of `type` arrived (bounded).
  bool await(std::string_view type, int count) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (received[std::string{type}] < count && !closed
           && std::chrono::steady_clock::now() < deadline)
      read_some(100ms);
    return received[std::string{type}] >= count;
  }
};

std::vector<char> register_frame(chatter::connection& framer,
                                 std::string payload) {
  eventer::msg_register_req req{
    {register_event{{"a"}, std::nullopt, payload_json{std::move(payload)}}}};
  std::vector<char> out;
  framer.send(out, eventer::type_name_of<eventer::msg_register_req>(),
              eventer::encoded_size(req),
              [&](char* at) { eventer::encode_to(at, req); }, std::nullopt,
              false);
  return out;
}

}  // namespace

TEST_CASE("keep-alive leaves a connection alone while its reading is "
          "halted") {
  test::one_connection conn{/*hold_registers=*/true};
  eventer_settings settings;
  settings.max_requests_in_flight = 1;
  settings.chatter.ping_delay = 20ms;
  settings.chatter.ping_timeout = 20ms;
  conn.start(settings);
  client_reader reader{conn.client_fd};
  REQUIRE(reader.await(eventer::type_name_of<eventer::msg_init_res>(), 1));

  // Two requests in one write: the engine holds the first, the second
  // waits, and the broker stops reading.
  chatter::connection framer;
  auto bytes = register_frame(framer, "1");
  auto second = register_frame(framer, "2");
  bytes.insert(bytes.end(), second.begin(), second.end());
  conn.client_write(bytes);
  REQUIRE(conn.seen->wait_until(
    [](auto& items) { return test::count_of(items, "1") == 1; }));

  // Keep-alive checks for many times ping_delay + ping_timeout; before,
  // the first sent a ping the client's pong could not answer (unread
  // behind the waiting request) and a later one dropped the client.
  auto until = std::chrono::steady_clock::now() + 400ms;
  bool heard = false;
  while (!heard && std::chrono::steady_clock::now() < until) {
    caf::anon_send(conn.broker, atom::tick::value);
    heard = reader.read_some(10ms);
  }
  CHECK_FALSE(heard);
  CHECK(reader.received[std::string{chatter::ping_type}] == 0);
  CHECK_FALSE(reader.closed);

  // Answered, the client gets both registrations.
  conn.release();
  CHECK(reader.await(eventer::type_name_of<eventer::msg_register_res>(), 2));
  CHECK(test::count_of(conn.seen->items(), "2") == 1);
}
