#pragma once

// One Eventer connection broker on a real 127.0.0.1 socket whose client
// side the test holds as a plain descriptor, with a stand-in engine that
// records the payloads registered and can hold its answers back: for what
// only the broker's own handling shows (how it ends, what it does while
// requests are unanswered).

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <memory>
#include <string>

#include "actors/eventer_connection.hpp"
#include "actors/interfaces.hpp"
#include "tests/server/server_harness.hpp"

namespace hat::test {

struct one_connection {
  networked_config caf_config;
  caf::actor_system system{caf_config};
  /// JSON payload texts of every event registered, in order.
  std::shared_ptr<inbox<std::string>> seen
    = std::make_shared<inbox<std::string>>();
  /// Answers CONNECTED and DISCONNECTED at once; other registrations only
  /// while not holding (release() answers the held ones).
  caf::actor engine;
  notify_fanout_actor fanout;
  event_store_actor store;
  caf::actor broker;
  /// The client's end of the socket.
  int client_fd = -1;

  explicit one_connection(bool hold_registers = false);
  ~one_connection();

  /// Connects a broker with `settings` and initialises the client (not in
  /// the constructor: a failed REQUIRE there would skip the destructor,
  /// which ends the actors); CONNECTED is registered when it returns.
  void start(eventer_settings settings = {});

  /// Writes `bytes` as the client (all of them, blocking).
  void client_write(const std::vector<char>& bytes);

  /// The engine stops holding and answers what it held.
  void release();

  /// Waits (bounded) until the engine handled everything sent to it
  /// before this call.
  bool engine_caught_up();

  /// Waits (bounded) for the broker to end.
  bool broker_ended();
};

/// How many of `items` are `what`.
size_t count_of(const std::vector<std::string>& items, std::string_view what);

}  // namespace hat::test
