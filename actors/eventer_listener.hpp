#pragma once

/// The Eventer listener: a broker that forks one eventer_connection broker
/// per accepted client, numbering them from 1 (the connection id is the
/// client's event source id). Its tcp_acceptor accepts on a thread of its
/// own (backing off when descriptors run out); a client beyond
/// max_connections is closed at once. Told to exit, it stops accepting,
/// stops every connection it forked and exits once they all have, so
/// whoever waits for the listener waits for the connections too.
///
/// One timer of the listener drives every connection's keep-alive: a
/// delayed message per connection kept each closed connection's broker
/// (about 2 KB) allocated for good in CAF 0.17.

#include <caf/io/broker.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "actors/eventer_connection.hpp"
#include "actors/listen_socket.hpp"
#include "actors/tcp_acceptor.hpp"

namespace hat {

struct eventer_listener_state {
  eventer_settings settings;
  notify_fanout_actor fanout;
  event_store_actor storage;
  /// Id of the next accepted connection.
  int64_t next_conn_id = 1;
  /// The listening socket and its thread.
  std::unique_ptr<tcp_acceptor> acceptor;
  /// Clients closed for max_connections since the last log line about it,
  /// and when that line was written (one line per interval).
  uint64_t refused_unreported = 0;
  std::chrono::steady_clock::time_point refused_reported;
  /// How often connections check their keep-alive deadlines (zero: never,
  /// pings are off).
  std::chrono::milliseconds keepalive_interval{0};
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
