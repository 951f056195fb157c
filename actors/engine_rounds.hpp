#pragma once

/// The engine's sessions through modules (see engine.hpp): the queue, the
/// rounds, the on_session_stop stage, faults and stuck rounds. Internal to
/// the engine actor.

#include "actors/engine.hpp"

namespace hat::engine_rounds {

/// Starts the next queued session unless one runs or the engine closes.
void kick(engine_pointer self);

/// A module actor went down.
void module_down(engine_pointer self, const caf::down_msg& msg);

/// The timer of round `round` expired.
void round_timeout(engine_pointer self, uint64_t round);

/// The restart a module asked for, now that no session runs: queued
/// requesters hear "engine closed", the owner is asked.
void ask_restart(engine_pointer self);

/// The STARTED session has just been sent to the store: mark the engine
/// started and tell the owner (atom::started). Call it right after the
/// send, never before.
void report_started(engine_pointer self);

/// Hands a session to the store. Its receipt may say pause: the engine
/// then runs nothing (its mailbox waits) until the store answers
/// atom::backlog. A store that failed ends the engine.
void store_session(engine_pointer self, storage::event_batch batch);

/// Ends the engine with `reason`, taking its module actors along (they
/// are monitored, not linked, and a module's timers would keep its actor
/// alive).
void quit(engine_pointer self, const caf::error& reason);

/// Every waiting requester (current session and queue) hears `err`.
void refuse_all(engine_pointer self, const caf::error& err);

}  // namespace hat::engine_rounds
