#pragma once

/// The typed interfaces of the server's actors, one comment per handler.
/// Connection actors are brokers (untyped); their messages are listed in
/// eventer_connection.hpp.

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/messages.hpp"

namespace hat {

/// Runs the backend's write jobs (flush, cleanup) one at a time, on a
/// thread of its own, for the event store.
using storage_writer_actor = caf::typed_actor<
  caf::replies_to<atom::write, std::shared_ptr<storage::write_job>>::with<
    storage::write_outcome>,
  /// A job the store is done with: the writer's thread frees it.
  caf::reacts_to<atom::dispose, std::shared_ptr<storage::write_job>>>;

/// Owns the backend: stores sessions, answers queries, flushes, cleans up.
using event_store_actor = caf::typed_actor<
  /// Keep one session's events (from the engine) or a synced batch (from
  /// a sync actor); replies what was kept and whether to pause.
  caf::replies_to<atom::store, storage::event_batch>::with<store_receipt>,
  /// Answer a query straight from the backend, in any server status.
  caf::replies_to<atom::query, query_params>::with<query_result>,
  /// The same, answered encoded (a connection's query): the encoding is
  /// done where the query ran, not on the network thread.
  caf::replies_to<atom::query, query_params, answer_format>::with<
    encoded_answer>,
  /// Newest stored event id of a server.
  caf::replies_to<atom::last_id, int64_t>::with<event_id>,
  /// Make accepted events durable now (and report them persisted).
  caf::replies_to<atom::flush>::with<atom::ok>,
  /// Answered once the backlog is under the backend's bound again (at
  /// once when it is): what a sender told to pause waits for.
  caf::replies_to<atom::backlog>::with<atom::ok>,
  /// Answered (by the fan-out) once every batch this store got before
  /// the request has been sent on to the connections: a connection that
  /// registered a session orders what it does next after that session's
  /// notification by it.
  caf::replies_to<atom::notified>::with<atom::ok>,
  /// Internal: the periodic flush timer, with its generation.
  caf::reacts_to<atom::tick, uint64_t>,
  /// Internal: the cleanup timer.
  caf::reacts_to<atom::cleanup>>;

/// Runs sessions one after another.
using engine_actor = caf::typed_actor<
  /// One session: ids and one timestamp assigned, stored; replies the
  /// session, whose first events are the caller's in request order (the
  /// same batch the store keeps: nothing is copied).
  caf::replies_to<atom::register_, event_source,
                  std::vector<register_event>>::with<storage::event_batch>,
  /// From a module: restart the engine once the current session is done.
  caf::reacts_to<atom::restart>,
  /// From a module: pass a monitor ready reset on to the server.
  caf::reacts_to<atom::reset_ready>,
  /// Internal: a round has waited module_timeout (round generation).
  caf::reacts_to<atom::tick, uint64_t>>;

/// One module's actor: runs its callbacks one at a time.
using module_actor = caf::typed_actor<
  /// on_session_start (first round only), then process() for every event
  /// of the round its subscription matches; replies what it registers, in
  /// the order of the round's events.
  caf::replies_to<atom::process, module_round>::with<
    std::vector<register_event>>,
  /// on_session_stop(session).
  caf::replies_to<atom::module_stop, int64_t>::with<atom::ok>,
  /// Internal: a timer the module set through engine_handle::after.
  caf::reacts_to<atom::tick, uint64_t>>;

/// What the engine asks of whoever runs it (the server).
using engine_owner_actor = caf::typed_actor<
  /// The engine handed its STARTED session to the store: every message
  /// the store gets from now on is queued behind it, so this is when the
  /// owner may publish "operational" (a client's query sent after that
  /// status finds STARTED, as with the reference).
  caf::reacts_to<atom::started>,
  /// Stop the engine (STOPPED stored, store flushed) and start a new one.
  caf::reacts_to<atom::restart>,
  /// Reset the monitor ready flag (no monitor: nothing to do).
  caf::reacts_to<atom::reset_ready>>;

/// Sends each stored batch to the connections whose filters select it and
/// keeps the server status every connection sees.
using notify_fanout_actor = caf::typed_actor<
  /// Events registered (persisted = false) or persisted (true).
  caf::reacts_to<atom::notify, storage::event_batch, bool>,
  /// A connection finished init: start notifying it. Replies the status
  /// and engine at that moment (later changes follow as messages).
  caf::replies_to<atom::join, caf::actor, int64_t, std::string,
                  notify_filter>::with<status, engine_actor>,
  /// A connection is gone.
  caf::reacts_to<atom::leave, int64_t>,
  /// Answered once every batch received before it was sent to the
  /// connections (see the store's atom::notified).
  caf::replies_to<atom::notified>::with<atom::ok>,
  /// The current status and engine (invalid unless operational).
  caf::replies_to<atom::get, atom::status>::with<status, engine_actor>,
  /// New status and engine, broadcast to every connection.
  caf::reacts_to<atom::status, status, engine_actor>,
  /// Connection ids and client names, for modules.
  caf::replies_to<atom::get, atom::clients>::with<client_names>>;

/// Who runs the sync actors (the server), as they see it.
using sync_owner_actor = caf::typed_actor<
  /// The peer is starting, operational or stopping (true), or standby or
  /// not connected (false): a server starts its engine only while no peer
  /// is active (spec redundancy.md §2.4). Sent first once the peer
  /// answered our init or a connect to it failed, then on every change.
  caf::reacts_to<atom::peer_active, bool>,
  /// 0.9.0's synced_restart_engine: a catch-up brought events in, so the
  /// modules should start again on them (nothing when no engine runs).
  caf::reacts_to<atom::restart>>;

/// Copies one peer's events into our store (sync_actor.hpp).
using sync_actor = caf::typed_actor<
  /// From the server: its status and engine (synced states are registered
  /// through the engine while one runs).
  caf::reacts_to<atom::status, status, engine_actor>,
  /// From the server: the peer left the monitor's list (true: end once the
  /// connection drops) or is back (false).
  caf::reacts_to<atom::gone, bool>,
  /// From its peer client: our init accepted, with the peer's status.
  caf::reacts_to<atom::connected, status>,
  /// From its peer client: the peer's status changed.
  caf::reacts_to<atom::status, status>,
  /// From its peer client: one session of the peer's persisted events.
  caf::reacts_to<atom::notify, std::vector<event>>,
  /// Internal: the retry timer of connection `generation`.
  caf::reacts_to<atom::tick, uint64_t>>;

/// Keeps the logging configuration in force and makes the process's logger
/// follow it (log_config_keeper.hpp), for the adminer's connections.
using log_config_actor = caf::typed_actor<
  /// The configuration as JSON text (true), or the error text that
  /// replaces it (false).
  caf::replies_to<atom::get, atom::log_conf>::with<bool, std::string>,
  /// A configuration as JSON text: in force now (true, ""), or refused
  /// with Python's text (false, why) and nothing changed.
  caf::replies_to<atom::set, atom::log_conf, std::string>::with<bool,
                                                                std::string>>;

}  // namespace hat

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<hat::sync_actor>)
