#pragma once

/// An Eventer client for the actor world (a broker): the connection a sync
/// actor keeps to a peer Event Server. It connects without blocking
/// (connect_socket.hpp), runs an eventer::client_session, keeps the
/// connection alive, and reports to its owner in arrival order, so an
/// events notification is always handled before a later status change.
///
/// Messages it handles:
///   (atom::query, query_params) -> query_result
///                                   answered when the peer answers; an
///                                   error when the connection ends first
///   (atom::register_, vector<register_event>)
///                                   sent with last=true: no answer
///   (atom::pause, bool)             stop (true) or resume reading: the
///                                   owner's store is behind
///   (atom::tick)                    internal: keep-alive, init deadline
///   (atom::read_on)                 internal: resume reading
///                                   (read_gate.hpp)
/// It sends its owner:
///   (atom::connected, status)       the peer accepted our init
///   (atom::status, status)          the peer's status changed
///   (atom::notify, vector<event>)   one events notification
/// It ends with its owner (monitored), and with ec::peer_unreachable when
/// the connection or the init
/// fails, and with ec::peer_lost when an established connection closes,
/// times out or breaks the protocol; the owner monitors it.

#include <caf/io/broker.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "actors/read_gate.hpp"
#include "protocol/eventer_client_session.hpp"

namespace hat {

struct peer_client_settings {
  std::string host;
  uint16_t port = 0;
  eventer::client_session_options session;
  /// Longest wait from the connect to the init answer.
  std::chrono::milliseconds init_timeout{10000};
};

struct peer_client_state {
  caf::io::connection_handle handle;
  caf::actor owner;
  peer_client_settings settings;
  std::optional<eventer::client_session> session;
  std::chrono::steady_clock::time_point init_deadline;
  /// Queries waiting for their answer, by request number.
  std::map<int64_t, caf::response_promise> queries;
  /// Halted while the owner's store is behind.
  read_gate reading;
  bool ended = false;

  static inline const char* name = "peer_client";
};

using peer_client_pointer = caf::io::stateful_broker<peer_client_state>*;

caf::behavior peer_client(peer_client_pointer self,
                          peer_client_settings settings, caf::actor owner);

}  // namespace hat
