#pragma once

/// The supervisor: first takes what the server cannot run without, the
/// listening socket and then the backend, and fails at once, having
/// started nothing and written nothing, when either cannot be had. Then it
/// starts storage, the fan-out, the Eventer listener and (standalone) the
/// engine, in that order, and publishes "operational" when the engine
/// reports its STARTED session in the store's mailbox; stops
/// them in the reverse order (engine first, so its STOPPED event is stored,
/// storage last, so everything is flushed). Any of them dying on its own
/// stops the rest and ends the server with that error.

#include <caf/io/broker.hpp>
#include <functional>
#include <set>

#include "actors/interfaces.hpp"
#include "actors/module_spec.hpp"
#include "config/server_config.hpp"

namespace hat {

using server_actor = caf::typed_actor<
  /// The port the Eventer server listens on (the configured one may be 0).
  caf::replies_to<atom::get, atom::port>::with<uint16_t>,
  /// The status clients see, and the engine when operational.
  caf::replies_to<atom::get, atom::status>::with<status, engine_actor>,
  /// From the engine: stop it (STOPPED stored, store flushed, standby),
  /// then start a new one with every module created again.
  caf::reacts_to<atom::restart>,
  /// From the engine: reset the monitor ready flag (standalone: nothing).
  caf::reacts_to<atom::reset_ready>,
  /// From the engine: STARTED is in the store's mailbox; publish
  /// operational (unless that engine is already being stopped).
  caf::reacts_to<atom::started>,
  /// Stop everything in order; answered when done, then the server exits.
  caf::replies_to<atom::shutdown>::with<atom::ok>>;

struct server_state {
  config::server_config config;
  event_store_actor storage;
  notify_fanout_actor fanout;
  caf::actor listener;
  engine_actor engine;
  /// The configured modules, loaded once at start (libraries stay loaded
  /// across engine restarts).
  std::vector<module_spec> modules;
  uint16_t eventer_port = 0;
  bool stopping = false;
  /// Between an engine's restart request and its successor's start.
  bool restarting = false;
  /// While stopping: the actor being stopped and what follows its end.
  caf::actor_addr awaited;
  std::function<void()> after_awaited;
  /// Actors already down: stopping them again would wait forever.
  std::set<caf::actor_addr> down;
  /// Why the server stops (none for an orderly shutdown).
  caf::error failure;
  /// Answer to the shutdown request, delivered once everything stopped.
  caf::response_promise shutdown_promise;

  static inline const char* name = "server";
};

/// `backend` replaces the one the configuration names (tests inject
/// failing or recording backends); null means "as configured". The
/// configured modules are loaded and their configurations validated first:
/// any failure ends the server before anything starts, naming the module.
server_actor::behavior_type
server(server_actor::stateful_pointer<server_state> self,
       config::server_config config,
       std::shared_ptr<storage::backend> backend = nullptr);

}  // namespace hat
