#pragma once

/// The engine actor, the session sequencer. Each register message is one
/// session: a fresh session id continuing from the backend's last id for
/// this server, one timestamp for all its events, consecutive instances.
///
/// Without modules a session is built and sent to the storage actor inside
/// the register handler. With modules it runs in rounds (modules/module.hpp
/// tells the rules) through the module actors, by request and response:
/// every module gets each round at once, so modules work in parallel, and
/// their additions are numbered in configuration order when all answered.
/// Requests arriving meanwhile wait in a queue: sessions stay strictly
/// sequential, and a module registering from inside a callback gets a
/// later session instead of a deadlock.
///
/// Faults: a module that fails a request, or whose actor goes down, ends
/// the session unwritten (its requester and every queued one get an
/// error); then the engine asks its owner for a restart, or, before its
/// first session completed (the modules could not start), quits with the
/// error. A round unanswered for module_timeout is reported by name.
///
/// At start it registers event/<server_id>/engine "STARTED" (a session the
/// modules see) and, once that session is in the store's mailbox, tells
/// its owner atom::started (the owner publishes "operational" only then);
/// at exit "STOPPED" (straight to storage, as the reference does).
///
/// It runs where `placement.engine` says (placement.hpp), by default on the
/// network thread beside the connections: a registration then reaches it
/// and its answer gets back without a thread wake-up. Nothing here may
/// block; module callbacks run in the module actors, never here.

#include <chrono>
#include <deque>
#include <optional>
#include <vector>

#include "actors/interfaces.hpp"
#include "actors/module_spec.hpp"
#include "actors/placement.hpp"

namespace hat {

struct engine_config {
  int64_t server_id = 0;
  /// Where sessions go; modules query it.
  event_store_actor storage;
  /// Modules ask it for client names.
  notify_fanout_actor fanout;
  /// Told when STARTED reached the store and asked to restart the engine;
  /// none: the engine quits instead of restarting.
  engine_owner_actor owner;
  /// In configuration order.
  std::vector<module_spec> modules;
  /// A round waiting longer than this is reported (zero: never).
  std::chrono::milliseconds module_timeout{std::chrono::seconds{10}};
};

/// A register request waiting for the session before it to end.
struct queued_session {
  caf::response_promise promise;
  event_source source;
  std::vector<register_event> events;
};

/// The session going through the modules.
struct running_session {
  /// The requester's answer; not pending for STARTED.
  caf::response_promise promise;
  int64_t id = 0;
  hat::timestamp time;
  /// Events of every round so far, in order.
  std::vector<std::shared_ptr<const std::vector<event>>> rounds;
  /// What the modules answered this round, by module index.
  std::vector<std::vector<register_event>> added;
  /// Modules yet to answer this round (or on_session_stop): how many, and
  /// which (to name a stuck one).
  size_t waiting = 0;
  std::vector<bool> unanswered;
  /// In the on_session_stop stage.
  bool stopping = false;
};

struct engine_state {
  engine_config config;
  /// Id of the last event created; its session is the current one.
  event_id last_id;
  /// One actor per configured module, in configuration order.
  std::vector<module_actor> modules;
  std::deque<queued_session> queue;
  std::optional<running_session> session;
  /// Tells answers and timers of the current round from stale ones.
  uint64_t round = 0;
  /// STARTED went through every module: later faults restart.
  bool started = false;
  /// A module asked for a restart, or failed: no new session starts.
  bool closing = false;
  /// A restart asked during a session: asked of the owner when it ends.
  bool restart_wanted = false;

  static inline const char* name = "engine";
};

/// The engine's self: placeable on the network thread (placement.hpp).
using engine_pointer = placeable_pointer<engine_actor, engine_state>;

engine_actor::behavior_type engine(engine_pointer self, engine_config config);

/// event/<server_id>/engine with a JSON string payload.
register_event engine_status_event(int64_t server_id, std::string_view what);

}  // namespace hat
