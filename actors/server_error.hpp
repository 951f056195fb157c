#pragma once

/// The server's one error enum. Every error an actor makes is
/// `make_error(ec::..., context...)`: a caf::error of category "hat" whose
/// context is one readable text. `render_error` turns any caf::error (ours
/// or CAF's) into words without an actor system; `log_dropped` is the one
/// way to let an error go without handing it on: it logs it once, with
/// what was being done.

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

namespace hat {

enum class ec : uint8_t {
  /// Not an error (CAF reserves code 0 for "no error").
  none = 0,
  /// The engine is not running: the server is not operational.
  not_operational,
  /// An event a client or peer sent is invalid (type, payload, timestamp).
  invalid_event,
  /// A request's answer would not fit into the peer's frame limit.
  answer_too_large,
  /// A peer sent bytes that do not decode (framing or message).
  malformed_input,
  /// A peer does not read what we send: its send queue crossed the bound.
  peer_not_reading,
  /// A peer keeps more requests unanswered than allowed.
  too_many_requests,
  /// A peer sent nothing complete within the keep-alive deadline.
  peer_timed_out,
  /// More client connections than `max_connections`.
  connection_limit,
  /// The process ran out of file descriptors.
  descriptors_exhausted,
  /// The Eventer server could not listen on its address.
  listen_failed,
  /// The backend could not be opened (missing, locked, damaged file).
  backend_open_failed,
  /// The database file does not match what its LMDB meta pages claim.
  database_damaged,
  /// Another process holds the database file.
  database_locked,
  /// The disk holding the database is full.
  disk_full,
  /// The backend failed to store, flush, clean up or query.
  storage_failed,
  /// A module threw, died or could not be created.
  module_failed,
  /// A module did not answer a round in time.
  module_timeout,
  /// The engine stopped before it could answer.
  engine_closed,
  /// An essential actor of the server stopped on its own.
  essential_actor_down,
  /// The configuration cannot be used.
  invalid_configuration,
  /// The Hat Monitor could not be reached at start.
  monitor_unreachable,
  /// The connection to the Hat Monitor closed or failed.
  monitor_lost,
  /// The Hat Monitor asked this component to close (MsgClose).
  monitor_closed,
  /// A peer Event Server could not be connected to, or refused our init.
  peer_unreachable,
  /// The connection to a peer Event Server closed or broke its protocol.
  peer_lost,
  /// Anything else; the context says what.
  internal,
};

/// The code's name ("not_operational").
std::string to_string(ec code);

/// The category atom of our errors.
inline constexpr caf::atom_value error_category = caf::atom("hat");

/// An error of ours; `context` parts are streamed into one text.
template <class... Parts>
caf::error make_error(ec code, const Parts&... context) {
  std::string text;
  if constexpr (sizeof...(Parts) > 0) {
    std::ostringstream out;
    (out << ... << context);
    text = out.str();
  }
  return caf::error{static_cast<uint8_t>(code), error_category,
                    caf::make_message(std::move(text))};
}

/// Whether `err` is ours with code `code`.
bool is(const caf::error& err, ec code);

/// "not_operational: engine closed" for ours, CAF's own text otherwise,
/// "no error" for none.
std::string render_error(const caf::error& err);

/// The context text of an error of ours (what render_error writes after
/// the code's name), for wrapping it in more context; CAF's own text for
/// CAF's errors.
std::string error_context(const caf::error& err);

/// Logs, once, an error nobody else will hear of, with what was being done
/// ("register answer to connection 3"). Use it wherever an error ends.
void log_dropped(std::string_view component, std::string_view doing,
                 const caf::error& err);

}  // namespace hat
