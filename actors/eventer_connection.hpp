#pragma once

/// One broker per Eventer client connection. It frames and decodes what the
/// client sends, forwards registrations to the engine and queries to
/// storage, and writes answers and notifications straight into the socket's
/// send buffer. It runs on the middleman's network thread, so it never
/// waits: every answer comes back as a message.
///
/// Messages it handles besides the network's:
///   (atom::notify, shared_bytes)             from the fan-out: events
///   (atom::status, status, engine_actor)     from the fan-out: new status
///   (atom::tick, uint64_t)                   internal: keep-alive timer
///   (atom::close)                            internal: end of grace period
///   (atom::flush)                            internal: stopping, check
///                                            whether the output drained
///
/// Everything it writes counts against `max_send_queue`: a client whose
/// unsent data passes it is dropped, its socket reset and its buffers freed
/// at once. At most `max_requests_in_flight` requests are worked on at a
/// time; beyond that it stops reading from the socket until answers went
/// out.

#include <caf/io/broker.hpp>
#include <deque>
#include <optional>
#include <string>

#include "actors/interfaces.hpp"
#include "protocol/chatter_connection.hpp"
#include "protocol/eventer_codec.hpp"

namespace hat {

/// What every connection of one listener shares.
struct eventer_settings {
  int64_t server_id = 0;
  std::optional<std::string> server_token;
  eventer::dialect dialect = eventer::dialect::current;
  chatter::connection_options chatter;
  /// Unsent bytes above which a client that does not read is dropped.
  size_t max_send_queue = 64 * 1024 * 1024;
  /// How long a refused client gets to close by itself (reference: 0.5 s).
  std::chrono::milliseconds refusal_grace{500};
  /// Requests (registers, queries) worked on at once; beyond it reading
  /// from the socket stops until answers have gone out.
  size_t max_requests_in_flight = 64;
  /// When the server stops: how long a client gets to take what is still
  /// queued for it before its socket is reset.
  std::chrono::milliseconds stop_grace{1000};
};

struct eventer_connection_state {
  enum class phase { awaiting_init, initializing, ready, closing };

  /// A message that arrived before init finished, replayed after it.
  struct early_message {
    std::string type;
    std::vector<char> data;
    chatter::conversation conv;
    bool last = true;
  };

  /// A query held back until earlier registrations of this client are
  /// stored, so it sees them (the reference handles messages one by one).
  struct held_query {
    query_params params;
    chatter::conversation conv;
  };

  /// Message ids, conversations, framing, keep-alive.
  std::optional<chatter::connection> chatter;
  caf::io::connection_handle handle;
  int64_t conn_id = 0;
  eventer_settings settings;
  notify_fanout_actor fanout;
  event_store_actor storage;
  /// Valid while the server is operational.
  engine_actor engine;
  hat::status status = status::standby;
  phase current = phase::awaiting_init;
  /// The client's MsgInitReq fields, once received.
  std::string client_name;
  std::optional<chatter::conversation> init_conversation;
  std::deque<early_message> early;
  /// Registrations sent to the engine and not yet answered.
  size_t registers_in_flight = 0;
  std::deque<held_query> held_queries;
  /// Generation of the live keep-alive timer.
  uint64_t keepalive_generation = 0;
  /// The filter handed to the fan-out on join.
  notify_filter filter;
  /// A join request went to the fan-out: a leave must follow.
  bool joined = false;
  /// The engine CONNECTED was sent to: a DISCONNECTED must follow.
  engine_actor connected_engine;
  /// Requests sent to the engine or the store (or held) and not answered.
  size_t requests_in_flight = 0;
  /// Requests read while `requests_in_flight` was at the bound, in order.
  std::deque<early_message> waiting;
  /// Reading from the socket is halted until `waiting` is worked off.
  bool reading_halted = false;
  /// The server is stopping: close once the output drained or at this time.
  std::optional<std::chrono::steady_clock::time_point> stop_deadline;

  static inline const char* name = "eventer_connection";
};

using eventer_connection_pointer =
  caf::io::stateful_broker<eventer_connection_state>*;

caf::behavior eventer_connection(eventer_connection_pointer self,
                                 caf::io::connection_handle handle,
                                 int64_t conn_id, eventer_settings settings,
                                 notify_fanout_actor fanout,
                                 event_store_actor storage);

}  // namespace hat
