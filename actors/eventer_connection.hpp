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
///   (atom::tick)                             from the listener: check
///                                            the keep-alive deadlines
///   (atom::read_on)                          internal: resume reading
///                                            (read_gate.hpp)
///   (atom::close)                            internal: end of grace period
///   (atom::flush)                            internal: stopping, check
///                                            whether the output drained
///   data_transferred_msg                     CAF wrote some of its
///                                            output (direct_output.hpp)
///
/// Everything it writes counts against `max_send_queue`: a client whose
/// unsent data passes it is dropped, its socket reset and its buffers freed
/// at once. At most `max_requests_in_flight` requests are worked on at a
/// time; beyond that it stops reading from the socket until answers went
/// out.

#include <caf/io/broker.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "actors/direct_output.hpp"
#include "actors/interfaces.hpp"
#include "actors/partial_frame_budget.hpp"
#include "actors/read_gate.hpp"
#include "actors/server_metrics.hpp"
#include "log/throttle.hpp"
#include "protocol/chatter_connection.hpp"
#include "protocol/eventer_codec.hpp"

namespace hat {

/// The DISCONNECTED a client is owed once its CONNECTED was registered (or
/// it was initialised while an engine ran). finish() registers it; a
/// broker that ends another way (an exception, a kill) registers it when
/// its state is destroyed, so every CONNECTED gets its DISCONNECTED.
class owed_disconnected {
public:
  owed_disconnected() = default;
  owed_disconnected(const owed_disconnected&) = delete;
  owed_disconnected& operator=(const owed_disconnected&) = delete;
  ~owed_disconnected() {
    register_now();
  }

  /// It is owed, to `engine` (the latest one known).
  void owe(engine_actor engine, event_source source, register_event event) {
    engine_ = std::move(engine);
    source_ = source;
    event_ = std::move(event);
  }

  /// Registers it if owed; afterwards nothing is owed.
  void register_now() {
    if (!event_ || !engine_)
      return;
    caf::anon_send(engine_, atom::register_::value, source_,
                   std::vector<register_event>{std::move(*event_)});
    event_.reset();
  }

private:
  engine_actor engine_;
  event_source source_;
  std::optional<register_event> event_;
};

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
  /// Bytes all connections may hold in partial frames together; the
  /// connection whose frame crosses it is closed.
  size_t max_partial_frame_memory = 256 * 1024 * 1024;
  /// Client connections served at once; one more is accepted and closed.
  size_t max_connections = 10000;
  /// The listener's budget for max_partial_frame_memory (the listener
  /// creates it; connections share it).
  std::shared_ptr<partial_frame_budget> partial_frames;
  /// Requests (registers, queries) worked on at once; beyond it reading
  /// from the socket stops until answers have gone out.
  size_t max_requests_in_flight = 64;
  /// When the server stops: how long a client gets to take what is still
  /// queued for it before its socket is reset.
  std::chrono::milliseconds stop_grace{1000};
  /// The server's metrics: connections open, bytes queued, drops.
  std::shared_ptr<server_metrics> metrics = std::make_shared<server_metrics>();
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
  /// What the chatter framing holds of partial frames, in the listener's
  /// budget.
  partial_frame_share partial_frames;
  /// This connection in the server's metrics (open, bytes queued).
  connection_metrics counted;
  caf::io::connection_handle handle;
  /// Writes straight to the socket while CAF holds none of its output.
  direct_output output;
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
  /// The filter handed to the fan-out on join.
  notify_filter filter;
  /// A join request went to the fan-out: a leave must follow.
  bool joined = false;
  /// The engine CONNECTED was sent to: a DISCONNECTED must follow.
  engine_actor connected_engine;
  /// That DISCONNECTED, kept up to date by owe_disconnected().
  owed_disconnected disconnected;
  /// Requests sent to the engine or the store (or held) and not answered.
  size_t requests_in_flight = 0;
  /// Requests read while `requests_in_flight` was at the bound, in order.
  std::deque<early_message> waiting;
  /// Reading from the socket is halted until `waiting` is worked off.
  read_gate reading;
  /// Bounds the warnings about this client's requests (refused registers,
  /// capped query answers).
  log::throttle request_warnings;
  /// The client sent enough to be read in large chunks from now on.
  bool large_reads = false;
  /// When output was last handed to CAF (flush), recorded once the server
  /// stops.
  std::chrono::steady_clock::time_point last_flush{};
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
