#pragma once

/// The supervisor: first takes what the server cannot run without, the
/// listening sockets (Eventer, then adminer and metrics when configured)
/// and then the backend, and fails at once, having started nothing and
/// written nothing, when any cannot be had. Then it starts storage, the
/// fan-out, the Eventer, adminer and metrics listeners, and owns the
/// metrics registry and the server's status: a server_status_machine
/// decides when an engine starts and stops (standalone: at once;
/// "operational" once the engine reports its STARTED session in the
/// store's mailbox) and the supervisor carries out its
/// actions, publishing every status to the fan-out. At the end it stops
/// the parts in the reverse order (engine first, so its STOPPED event is
/// stored, storage last but one, so everything is flushed; the adminer
/// after the monitor, before the Eventer listener, as the reference). Any
/// part dying on its own stops the rest and ends the server with that
/// error. Monitored servers also run one sync actor per peer the monitor
/// lists (sync_actor.hpp); a sync actor that dies is started again. A
/// blessed server starts its engine only while no peer is starting,
/// operational or stopping, and not before every peer answered our init
/// or failed a connect (which removes the reference's start-up race).

#include <caf/io/broker.hpp>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include "actors/interfaces.hpp"
#include "actors/listen_socket.hpp"
#include "actors/module_spec.hpp"
#include "actors/server_metrics.hpp"
#include "actors/server_status.hpp"
#include "config/server_config.hpp"

namespace hat {

using server_actor = caf::typed_actor<
  /// The port the Eventer server listens on (the configured one may be 0).
  caf::replies_to<atom::get, atom::port>::with<uint16_t>,
  /// The port the adminer listens on (0: no adminer_server configured).
  caf::replies_to<atom::get, atom::adminer>::with<uint16_t>,
  /// The port /metrics is served on (0: no metrics_server configured).
  caf::replies_to<atom::get, atom::metrics>::with<uint16_t>,
  /// The status clients see, and the engine when operational.
  caf::replies_to<atom::get, atom::status>::with<status, engine_actor>,
  /// From the engine: stop it (STOPPED stored, store flushed, standby),
  /// then start a new one with every module created again.
  caf::reacts_to<atom::restart>,
  /// From the engine: reset the monitor ready flag (standalone: nothing).
  caf::reacts_to<atom::reset_ready>,
  /// From the monitor link: the engine may run (true) or must stop.
  caf::reacts_to<atom::bless, bool>,
  /// From the monitor link: the monitor asked us to close (MsgClose); stop
  /// in order (engine first) and end with `reason`.
  caf::reacts_to<atom::close, caf::error>,
  /// From the monitor link: the peers to synchronise with (one sync actor
  /// each, in every status).
  caf::reacts_to<atom::peers, std::vector<peer_info>>,
  /// From a sync actor: whether its peer is active; no engine starts
  /// while a peer is active or has not answered yet (spec §2.4).
  caf::reacts_to<atom::peer_active, bool>,
  /// The running sync actors (diagnostics and fault-injection tests).
  caf::replies_to<atom::get, atom::peers>::with<std::vector<sync_actor>>,
  /// Internal: start the sync actor of this peer again, one retry delay
  /// after it failed (a fault that recurs does not spin).
  caf::reacts_to<atom::respawn, peer_info>,
  /// From the engine: STARTED is in the store's mailbox; publish
  /// operational (unless that engine is already being stopped).
  caf::reacts_to<atom::started>,
  /// Stop everything in order; answered when done, then the server exits.
  caf::replies_to<atom::shutdown>::with<atom::ok>>;

/// The parts of a server a test replaces (empty: the real one), so that
/// the supervisor runs on CAF's deterministic coordinator, where brokers
/// cannot.
struct server_seams {
  /// The Eventer listener on the bound socket (which it then owns).
  std::function<caf::actor(const listen_socket& socket)> listener;
  /// The adminer listener on its bound socket (adminer_server only).
  std::function<caf::actor(const listen_socket& socket)> adminer;
  /// The monitor link of `server` (monitored servers, at start); an error
  /// when the monitor cannot be reached.
  std::function<caf::expected<caf::actor>(caf::actor server)> monitor;
  /// Handed to every sync actor (sync_settings::connect_peer).
  std::function<caf::actor(caf::actor owner)> connect_peer;
  /// Modules run instead of the configured ones (a test's own).
  std::optional<std::vector<module_spec>> modules;
};

struct server_state {
  config::server_config config;
  event_store_actor storage;
  notify_fanout_actor fanout;
  caf::actor listener;
  /// The adminer listener (adminer_server only).
  caf::actor adminer;
  /// The metrics listener (metrics_server only).
  caf::actor metrics_listener;
  /// Counted by the store, the Eventer connections and this supervisor,
  /// read by the metrics listener.
  std::shared_ptr<server_metrics> metrics
    = std::make_shared<server_metrics>();
  /// The Hat Monitor connection (monitored servers only).
  caf::actor monitor;
  engine_actor engine;
  /// One sync actor per peer, by (server id, host, port); `wanted` is
  /// false once the peer left the monitor's list; no actor while a
  /// failed one waits to be started again. `settled`: the peer answered
  /// our init or a connect to it failed, at least once; `active`: it is
  /// starting, operational or stopping now.
  struct peer_sync {
    peer_info peer;
    sync_actor actor;
    bool wanted = true;
    bool settled = false;
    bool active = false;
  };
  std::map<std::tuple<int64_t, std::string, uint16_t>, peer_sync> syncs;
  /// The status last published, for sync actors spawned later.
  status published = status::standby;
  /// The configured modules, loaded once at start (libraries stay loaded
  /// across engine restarts).
  std::vector<module_spec> modules;
  uint16_t eventer_port = 0;
  uint16_t adminer_port = 0;
  uint16_t metrics_port = 0;
  /// Decides the status and what to start and stop.
  server_status_machine machine{false};
  /// The engine waits while a peer is active (current behaviour, not
  /// 0.9.0's; spec redundancy.md §2.4).
  bool waits_for_peers = false;
  /// The machine's waiting_for_peers() last logged.
  bool logged_waiting = false;
  /// While finishing: the parts still to stop, in order, and the one
  /// being stopped.
  std::deque<caf::actor> stop_order;
  caf::actor_addr awaited_stop;
  /// Actors already down: stopping them again would wait forever.
  std::set<caf::actor_addr> down;
  server_seams seams;
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

/// As above, with parts replaced by tests.
server_actor::behavior_type
server_with_seams(server_actor::stateful_pointer<server_state> self,
                  config::server_config config,
                  std::shared_ptr<storage::backend> backend,
                  server_seams seams);

}  // namespace hat
