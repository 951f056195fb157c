#pragma once

/// The supervisor: builds the backend, then starts storage, the fan-out,
/// the Eventer listener and (standalone) the engine, in that order; stops
/// them in the reverse order (engine first, so its STOPPED event is stored,
/// storage last, so everything is flushed). Any of them dying on its own
/// stops the rest and ends the server with that error.

#include <caf/io/broker.hpp>
#include <functional>
#include <set>

#include "actors/interfaces.hpp"
#include "config/server_config.hpp"

namespace hat {

using server_actor = caf::typed_actor<
  /// The port the Eventer server listens on (the configured one may be 0).
  caf::replies_to<atom::get, atom::port>::with<uint16_t>,
  /// Stop everything in order; answered when done, then the server exits.
  caf::replies_to<atom::shutdown>::with<atom::ok>>;

struct server_state {
  config::server_config config;
  event_store_actor storage;
  notify_fanout_actor fanout;
  caf::actor listener;
  engine_actor engine;
  uint16_t eventer_port = 0;
  bool stopping = false;
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
/// failing or recording backends); null means "as configured".
server_actor::behavior_type
server(server_actor::stateful_pointer<server_state> self,
       config::server_config config,
       std::shared_ptr<storage::backend> backend = nullptr);

}  // namespace hat
