#pragma once

/// One broker per adminer client connection. It frames and decodes what
/// the client sends (adminer::server_session), hands one request at a time
/// to the log configuration keeper, in arrival order, and writes each
/// answer into the request's conversation. Reading stops while requests
/// wait, so a client that sends faster than it is answered holds at most
/// one read's worth of them. A message that is no request ends the
/// connection (ERROR logged, no answer) once the requests before it are
/// answered; the listener and other connections go on.
///
/// Messages it handles besides the network's:
///   (atom::tick)   from the listener: check the keep-alive deadlines
///   (atom::flush)  internal: closing, check whether the output drained
///   (atom::read_on) internal: resume reading (read_gate.hpp)
///
/// Everything it writes counts against `max_send_queue`; its partial
/// frames count against the listener's budget, as an Eventer
/// connection's.

#include <caf/io/broker.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "actors/interfaces.hpp"
#include "actors/partial_frame_budget.hpp"
#include "actors/read_gate.hpp"
#include "protocol/adminer_session.hpp"

namespace hat {

/// What every connection of the adminer listener shares: the Eventer's
/// limits (eventer_server.max_frame_size and the rest).
struct adminer_settings {
  chatter::connection_options chatter;
  /// Unsent bytes above which a client that does not read is dropped.
  size_t max_send_queue = 64 * 1024 * 1024;
  /// Bytes all connections may hold in partial frames together.
  size_t max_partial_frame_memory = 256 * 1024 * 1024;
  /// Clients served at once; one more is accepted and closed.
  size_t max_connections = 10000;
  /// The listener's budget for max_partial_frame_memory.
  std::shared_ptr<partial_frame_budget> partial_frames;
};

struct adminer_connection_state {
  /// Chatter framing, pings, requests queued in arrival order.
  std::optional<adminer::server_session> session;
  /// What the framing holds of partial frames, in the listener's budget.
  partial_frame_share partial_frames;
  caf::io::connection_handle handle;
  int64_t conn_id = 0;
  adminer_settings settings;
  log_config_actor log_config;
  /// A request is with the keeper: the next waits for its answer.
  bool busy = false;
  /// Reading from the socket is halted while requests wait.
  read_gate reading;
  /// The connection is being closed: nothing more is read or answered.
  bool closing = false;
  /// When output was last handed to CAF.
  std::chrono::steady_clock::time_point last_flush{};
  /// Closing after a protocol breach: the answers before it go out first,
  /// up to this time.
  std::optional<std::chrono::steady_clock::time_point> close_deadline;

  static inline const char* name = "adminer_connection";
};

using adminer_connection_pointer =
  caf::io::stateful_broker<adminer_connection_state>*;

caf::behavior adminer_connection(adminer_connection_pointer self,
                                 caf::io::connection_handle handle,
                                 int64_t conn_id, adminer_settings settings,
                                 log_config_actor log_config);

}  // namespace hat
