// Bad input over a real socket closes that one connection with a log line;
// the server, its other clients and what was registered before go on.

#include <doctest/doctest.h>

#include <random>
#include <sys/socket.h>
#include <unistd.h>

#include "client/tcp_socket.hpp"
#include "protocol/event_type.hpp"
#include "tests/server/server_harness.hpp"

using namespace hat;
using namespace std::chrono_literals;
using test::json_event;

namespace {

/// A raw TCP peer: writes whatever a test wants, tells whether the server
/// closed the connection.
class raw_peer {
public:
  explicit raw_peer(uint16_t port)
    : fd_(client::tcp::connect("127.0.0.1", port,
                               chatter::clock::now() + 5s)) {
  }
  ~raw_peer() {
    ::close(fd_);
  }

  void write(std::span<const char> bytes) {
    REQUIRE(client::tcp::write_all(fd_, bytes) == 0);
  }

  /// Sends one eventer message as a whole chatter frame.
  template <class Msg>
  void send(const Msg& msg, bool last) {
    std::vector<char> out;
    chatter_.send(out, eventer::type_name_of<Msg>(),
                  eventer::encoded_size(msg),
                  [&](char* at) { eventer::encode_to(at, msg); },
                  std::nullopt, last);
    write(out);
  }

  void init() {
    send(eventer::msg_init_req{"raw", std::nullopt, {}, std::nullopt, false},
         false);
    // The init response arrives before anything else.
    REQUIRE(client::tcp::wait_readable(fd_, chatter::clock::now() + 5s) > 0);
    char buf[4096];
    REQUIRE(::recv(fd_, buf, sizeof buf, 0) > 0);
  }

  /// True when the server closes within the bound (data is drained).
  bool closed_by_server(std::chrono::milliseconds bound = 5s) {
    auto deadline = chatter::clock::now() + bound;
    char buf[4096];
    while (client::tcp::wait_readable(fd_, deadline) > 0) {
      auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0)
        return true;
    }
    return false;
  }

private:
  int fd_;
  chatter::connection chatter_;
};

/// The server still works for everyone else and kept what it had.
void check_server_unharmed(test::server_harness& harness,
                           client::eventer_client& bystander) {
  auto result = bystander.query(
    query_latest_params{std::vector<event_type>{{"before"}}});
  CHECK(result.events.size() == 1);
  auto registered = bystander.register_with_response({json_event({"after"})});
  REQUIRE(registered);
  CHECK(registered->size() == 1);
  CHECK(harness.connect("newcomer")->is_open());
}

}  // namespace

TEST_CASE("bad input closes only the offending connection") {
  test::server_harness harness;
  auto bystander = harness.connect("bystander");
  REQUIRE(bystander->register_with_response({json_event({"before"})}));

  SUBCASE("random bytes") {
    raw_peer peer{harness.port()};
    std::mt19937 rng{3};
    std::vector<char> junk(200);
    for (auto& c : junk)
      c = static_cast<char>(rng());
    junk[0] = 1;  // a frame that decodes as a malformed Msg
    junk[1] = 50;
    peer.write(junk);
    CHECK(peer.closed_by_server());
  }
  SUBCASE("an oversized frame length") {
    raw_peer peer{harness.port()};
    // Length field of 4 bytes announcing 1 GiB, far above 16 MiB.
    peer.write(std::vector<char>{4, 0x40, 0, 0, 0});
    CHECK(peer.closed_by_server());
  }
  SUBCASE("a register before init") {
    raw_peer peer{harness.port()};
    peer.send(eventer::msg_register_req{{json_event({"early"})}}, true);
    CHECK(peer.closed_by_server());
    auto result = bystander->query(
      query_latest_params{std::vector<event_type>{{"early"}}});
    CHECK(result.events.empty());
  }
  SUBCASE("an unknown message type after init") {
    raw_peer peer{harness.port()};
    peer.init();
    std::vector<char> out;
    chatter::connection framer;
    framer.send(out, "HatEventer.MsgNoSuchThing", std::span<const char>{},
                std::nullopt, true);
    // The framer's first id is 1: the server does not care about ids.
    peer.write(out);
    CHECK(peer.closed_by_server());
  }
  check_server_unharmed(harness, *bystander);
}
