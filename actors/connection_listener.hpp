#pragma once

/// A listener: a broker that forks one connection broker per accepted
/// client, numbering them from 1. Its tcp_acceptor accepts on a thread of
/// its own (backing off when descriptors run out); a client beyond
/// max_connections is closed at once. Told to exit, it stops accepting,
/// stops every connection it forked and exits once they all have, so
/// whoever waits for the listener waits for the connections too. The
/// Eventer and the adminer listener are this, each with its own
/// connections.
///
/// One timer of the listener drives every connection's keep-alive (it
/// sends them atom::tick): a delayed message per connection kept each
/// closed connection's broker (about 2 KB) allocated for good in CAF 0.17.

#include <caf/io/broker.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "actors/listen_socket.hpp"
#include "actors/server_metrics.hpp"
#include "actors/tcp_acceptor.hpp"

namespace hat {

/// Forks the connection broker of one accepted client.
using connection_forker = std::function<caf::actor(
  caf::io::broker* listener, caf::io::connection_handle handle,
  int64_t conn_id)>;

struct listener_options {
  /// Names the server in log lines ("eventer", "adminer").
  std::string component;
  /// The configuration key of the connection limit, for the log line.
  std::string limit_key;
  /// Clients served at once; one more is accepted and closed.
  size_t max_connections = 10000;
  /// How often connections check their keep-alive deadlines (zero:
  /// never, pings are off).
  std::chrono::milliseconds keepalive_interval{0};
  connection_forker fork;
  /// Counts clients closed for max_connections (null: not counted).
  std::shared_ptr<server_metrics> metrics;
};

struct connection_listener_state {
  listener_options options;
  /// Id of the next accepted connection.
  int64_t next_conn_id = 1;
  /// The listening socket and its thread.
  std::unique_ptr<tcp_acceptor> acceptor;
  /// Clients closed for max_connections since the last log line about it,
  /// and when that line was written (one line per interval).
  uint64_t refused_unreported = 0;
  std::chrono::steady_clock::time_point refused_reported;
  /// The port actually bound (the configured one may be 0).
  uint16_t port = 0;
  /// Live connection brokers.
  std::map<caf::actor_addr, caf::actor> connections;
  /// Set once told to exit: the listener goes when its last connection has.
  std::optional<caf::error> exit_reason;

  static inline const char* name = "connection_listener";
};

using connection_listener_pointer =
  caf::io::stateful_broker<connection_listener_state>*;

/// Accepts on `socket` (already listening: whoever starts the listener
/// knows at once whether the address could be had, and why not; see
/// open_listen_socket) and owns it from here. Handles (atom::get,
/// atom::port) -> uint16_t besides accepting.
caf::behavior connection_listener(connection_listener_pointer self,
                                  listen_socket socket,
                                  listener_options options);

}  // namespace hat
