#pragma once

/// The module API: how logic runs inside the Event Server.
///
/// A module sees every event of a session that matches its subscription
/// and may add events to the same session. The engine drives each session
/// in rounds, as the reference does (hat-event 0.9, engine.py):
///
///   1. on_session_start(session) on every module, in configuration order;
///   2. every event of the round is offered to process() of each module
///      whose subscription matches it; what process() returns becomes new
///      events of the same session (same timestamp, next instances), which
///      form the next round; a module's additions are not offered to the
///      other modules within the round that produced them;
///   3. rounds repeat until no module returns anything;
///   4. on_session_stop(session) on every module;
///   5. the whole session is stored; the caller gets only its own events.
///
/// Threads: each module lives in an actor of its own. Its callbacks, and
/// the answers to what it asks its engine_handle, run one at a time on
/// that actor, so a module needs no locks. A callback must not block; a
/// callback that throws ends the session unwritten and restarts the
/// engine (every module is created again).
///
/// Header-only and free of CAF, so out-of-tree modules build against the
/// installed headers alone (see modules/plugin.hpp).

#include <cstdint>
#include <vector>

#include "modules/engine_handle.hpp"
#include "protocol/event.hpp"

namespace hat::modules {

class module {
public:
  virtual ~module() = default;

  /// Query types (with the wildcards `?` and `*`) of the events offered to
  /// process(). Read once, after construction: constant for the module's
  /// lifetime.
  virtual std::vector<event_type> subscription() const = 0;

  virtual void on_session_start(int64_t session_id) {
    (void)session_id;
  }

  /// One event of the current session that matches the subscription, and
  /// who registered it. Returns the events to add to this session (none:
  /// an empty vector).
  virtual std::vector<register_event> process(const event_source& source,
                                              const event& e) = 0;

  virtual void on_session_stop(int64_t session_id) {
    (void)session_id;
  }
};

}  // namespace hat::modules
