#pragma once

/// The Eventer listener: a broker with the listening socket that forks one
/// eventer_connection broker per accepted client, numbering them from 1 (the
/// connection id is the client's event source id). Told to exit, it stops
/// accepting, stops every connection it forked and exits once they all
/// have, so whoever waits for the listener waits for the connections too.

#include <caf/io/broker.hpp>
#include <map>
#include <optional>
#include <string>

#include "actors/eventer_connection.hpp"
#include "actors/listen_socket.hpp"

namespace hat {

struct eventer_listener_state {
  eventer_settings settings;
  notify_fanout_actor fanout;
  event_store_actor storage;
  /// Id of the next accepted connection.
  int64_t next_conn_id = 1;
  /// The listening socket.
  caf::io::accept_handle doorman;
  /// The port actually bound (the configured one may be 0).
  uint16_t port = 0;
  /// Live connection brokers.
  std::map<caf::actor_addr, caf::actor> connections;
  /// Set once told to exit: the listener goes when its last connection has.
  std::optional<caf::error> exit_reason;

  static inline const char* name = "eventer_listener";
};

/// Accepts on `socket` (already listening: whoever starts the listener
/// knows at once whether the address could be had, and why not; see
/// open_listen_socket) and owns it from here. Handles (atom::get,
/// atom::port) -> uint16_t besides accepting.
caf::behavior
eventer_listener(caf::io::stateful_broker<eventer_listener_state>* self,
                 listen_socket socket, eventer_settings settings,
                 notify_fanout_actor fanout, event_store_actor storage);

}  // namespace hat
