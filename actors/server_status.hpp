#pragma once

/// The server's status as one explicit state machine, without CAF: the
/// supervisor feeds it what happened and carries out the actions it
/// returns, in order. Every interleaving of blessings, restarts, shutdown
/// and actors ending is decided here, where a test can walk them all.
///
///   standby --(engine wanted, no peer holding)--> starting --(STARTED stored)--> operational
///   starting | operational --(unblessed, restart, shutdown, engine
///       ended)--> stopping --(engine ended)--> draining
///   draining --(store flushed, notifications out)--> standby
///   standby --(shutdown)--> finishing (listener, store, fan-out stopped)
///
/// The engine is wanted while the server is not shutting down and is
/// either standalone or blessed by the monitor. It starts only while no
/// peer holds it back: a peer that is starting, operational or stopping,
/// or one not heard of yet (spec redundancy.md §2.4; the server decides
/// which peers hold, this machine only waits). A restart is a stop while
/// the engine is still wanted: the server comes back to standby and
/// starts a new engine from there. Only one engine exists at a time: a
/// new one starts only after the old one ended and the store drained.

#include <cstdint>
#include <optional>
#include <vector>

#include "protocol/event.hpp"

namespace hat {

/// What the supervisor does, in the order given.
enum class server_action : uint8_t {
  /// Tell the fan-out the new status (with the engine when operational).
  /// The status is part of the action: a step may pass through one status
  /// to the next (standby, then starting).
  publish_standby,
  publish_starting,
  publish_operational,
  publish_stopping,
  /// Create a new engine (its modules created again).
  start_engine,
  /// Ask the engine to stop (it stores STOPPED, then ends).
  stop_engine,
  /// Flush the store and let its notifications reach every connection;
  /// then feed drained().
  drain,
  /// Stop the listener, the store and the fan-out, in that order; then
  /// the server ends.
  stop_server,
};

class server_status_machine {
public:
  enum class phase : uint8_t {
    standby,
    starting,
    operational,
    stopping,
    draining,
    finishing,
  };

  using actions = std::vector<server_action>;

  /// `monitored`: the engine is wanted only while blessed.
  explicit server_status_machine(bool monitored);

  /// The server's parts run: start the engine if it is wanted.
  actions begin();
  /// The monitor link's verdict: this server may run its engine or not.
  actions blessing(bool active);
  /// The current engine's STARTED session is in the store.
  actions engine_started();
  /// The current engine ended, asked to or not.
  actions engine_ended();
  /// The store was flushed and its notifications handed on.
  actions drained();
  /// Whether some peer holds our engine back (§2.4). Only a start waits:
  /// an engine that runs keeps running.
  actions peers_holding(bool holding);
  /// A module asks for a new engine.
  actions restart_requested();
  /// Stop everything (asked, a signal, an essential part failed, the
  /// monitor lost). Repeats change nothing.
  actions shutdown();

  phase current_phase() const {
    return phase_;
  }
  /// The status clients are told.
  hat::status status() const;
  bool shutting_down() const {
    return shutting_down_;
  }
  /// The engine is wanted and would start but for the peers.
  bool waiting_for_peers() const {
    return phase_ == phase::standby && engine_wanted() && peers_holding_;
  }

private:
  bool engine_wanted() const;
  /// From starting or operational: stopping.
  actions stop_engine();
  /// From standby: starting if the engine is wanted.
  actions start_if_wanted();

  bool monitored_;
  bool blessed_ = false;
  bool begun_ = false;
  bool shutting_down_ = false;
  bool peers_holding_ = false;
  phase phase_ = phase::standby;
};

/// The status a publish_* action publishes; none for other actions.
std::optional<hat::status> published_status(server_action action);

const char* to_string(server_status_machine::phase p);

}  // namespace hat
