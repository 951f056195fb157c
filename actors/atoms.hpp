#pragma once

/// Every atom the actors exchange, in one namespace (atom::store, ...).

#include <caf/atom.hpp>

namespace hat::atom {

/// Engine: run one session.
using register_ = caf::atom_constant<caf::atom("register")>;
/// Storage: keep a session's (or a synced batch's) events.
using store = caf::atom_constant<caf::atom("store")>;
/// Storage: answer a query.
using query = caf::atom_constant<caf::atom("query")>;
/// Storage: newest event id of a server.
using last_id = caf::atom_constant<caf::atom("last_id")>;
/// Storage: make accepted events durable now.
using flush = caf::atom_constant<caf::atom("flush")>;
/// Storage writer: run one write job.
using write = caf::atom_constant<caf::atom("write")>;
/// Storage writer: drop a finished job (its memory is freed there, not on
/// the store's thread).
using dispose = caf::atom_constant<caf::atom("dispose")>;
/// Storage: answered when its backlog has drained (a sender told to pause
/// waits for it).
using backlog = caf::atom_constant<caf::atom("backlog")>;
/// Store, fan-out: answered once every batch handed over before this
/// request has gone out to the connections: an explicit ordering point.
using notified = caf::atom_constant<caf::atom("notified")>;
/// Storage: the cleanup timer.
using cleanup = caf::atom_constant<caf::atom("cleanup")>;
/// Fan-out: a batch to deliver; connection: an encoded MsgEventsNotify.
using notify = caf::atom_constant<caf::atom("notify")>;
/// Status changes and status questions.
using status = caf::atom_constant<caf::atom("status")>;
/// Fan-out: a connection finished its init handshake.
using join = caf::atom_constant<caf::atom("join")>;
/// Fan-out: a connection is gone.
using leave = caf::atom_constant<caf::atom("leave")>;
/// Names of the connected clients.
using clients = caf::atom_constant<caf::atom("clients")>;
/// Questions: atom::get + what.
using get = caf::atom_constant<caf::atom("get")>;
/// Listener: the port it listens on.
using port = caf::atom_constant<caf::atom("port")>;
/// Server: the adminer listener (its port).
using adminer = caf::atom_constant<caf::atom("adminer")>;
/// Server: the metrics listener (its port).
using metrics = caf::atom_constant<caf::atom("metrics")>;
/// Log configuration keeper: the logging configuration (get and set).
using log_conf = caf::atom_constant<caf::atom("log_conf")>;
/// Changes: atom::set + what.
using set = caf::atom_constant<caf::atom("set")>;
/// Supervisor: stop everything in order.
using shutdown = caf::atom_constant<caf::atom("shutdown")>;
/// Internal timers (keep-alive, flush), carrying a generation number since
/// 0.17 timers cannot be cancelled.
using tick = caf::atom_constant<caf::atom("tick")>;
/// Internal: close a connection after the init-refusal grace period.
using close = caf::atom_constant<caf::atom("close")>;
/// Connection broker: resume reading (read_gate.hpp).
using read_on = caf::atom_constant<caf::atom("read_on")>;
using ok = caf::atom_constant<caf::atom("ok")>;
/// Module: one round of a session; module_stop: the session is over.
using process = caf::atom_constant<caf::atom("process")>;
using module_stop = caf::atom_constant<caf::atom("mod_stop")>;
/// Engine, server: restart the engine (every module created again).
using restart = caf::atom_constant<caf::atom("restart")>;
/// Engine to its owner: the STARTED session is in the store's mailbox.
using started = caf::atom_constant<caf::atom("started")>;
/// Engine, server: reset the monitor "ready" flag.
using reset_ready = caf::atom_constant<caf::atom("reset_rdy")>;
/// Monitor link → server: run the engine (true) or not.
using bless = caf::atom_constant<caf::atom("bless")>;
/// Server → monitor link: the engine stopped and the store was flushed.
using engine_stopped = caf::atom_constant<caf::atom("eng_stop")>;

/// Peer client → sync actor: the peer accepted our init.
using connected = caf::atom_constant<caf::atom("connected")>;
/// Sync actor → peer client: stop (true) or resume reading.
using pause = caf::atom_constant<caf::atom("pause")>;
/// Monitor link → server: the peers to synchronise with.
using peers = caf::atom_constant<caf::atom("peers")>;
/// Server, internal: start a failed sync actor again.
using respawn = caf::atom_constant<caf::atom("respawn")>;
/// Server → sync actor: the peer left the monitor's list (true) or is
/// back (false).
using gone = caf::atom_constant<caf::atom("gone")>;
/// Sync actor → server: whether its peer holds our engine back (§2.4).
using peer_active = caf::atom_constant<caf::atom("peer_act")>;

}  // namespace hat::atom
