#pragma once

/// One sync actor per peer Event Server (same group, same server token):
/// it copies the peer's own events into our store, in every server status.
/// Its connection is a peer_client (client name event/<our name>,
/// subscription *, the peer's server id, persisted only).
///
/// Per connection, as the reference's sync client (spec redundancy.md
/// §3.2-3.5):
///   1. last = our store's newest event id of the peer;
///   2. synced state CONNECTED;
///   3. server queries from `last`, page by page; SYNCING with the first
///      page that holds events; every complete session written as one
///      batch, the last one when no more follows; live notifications
///      arriving meanwhile are buffered;
///   4. the buffered notifications with ids after `last`, one batch each;
///   5. synced state SYNCED with the number of events the queries
///      returned; from then on every notification is one batch.
/// Batches go to the store's write port (never the engine), whose skip
/// rules apply; a receipt that says pause holds the next query, or stops
/// reading live notifications, until the store's backlog has drained.
/// Synced states (event/<ours>/synced/<peer>) are registered on the peer
/// through the connection and locally through our engine while one runs;
/// when the peer becomes operational the current state is registered on
/// it again (SYNCED with count null), as the reference does.
///
/// The owner hears whether the peer is active (starting, operational or
/// stopping) once the peer answered our init or a connect failed, and on
/// every change; a peer not connected is not active (§2.4).
///
/// A dropped connection is reconnected at once, a failed connect after
/// retry_delay. Buffered notifications are bounded: past the bound the
/// connection is dropped and the catch-up of the next one reads them.
/// A peer that left the monitor's list keeps its connection until it
/// drops; the actor then ends.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/interfaces.hpp"
#include "actors/server_metrics.hpp"
#include "protocol/chatter_connection.hpp"
#include "protocol/eventer_codec.hpp"

namespace hat {

struct sync_settings {
  /// Events copied, lag, synced: counted for the metrics.
  std::shared_ptr<peer_sync_metrics> metrics
    = std::make_shared<peer_sync_metrics>();
  /// Ours.
  int64_t server_id = 0;
  std::string name;
  std::optional<std::string> server_token;
  peer_info peer;
  /// Told whether the peer is active and asked for 0.9.0's restarts;
  /// null: nobody (tests).
  sync_owner_actor owner;
  /// Our own Eventer server's dialect, which the whole group speaks.
  eventer::dialect dialect = eventer::dialect::current;
  /// 0.9.0 (up to 0.9.10): the synced state is a boolean, false once
  /// connected and true after the catch-up, registered locally only.
  bool boolean_synced = false;
  /// 0.9.0's synced_restart_engine: a catch-up that copied events asks
  /// the owner for an engine restart.
  bool restart_on_synced = false;
  /// Wait after a failed connect (the reference's 5 s).
  std::chrono::milliseconds retry_delay{5000};
  chatter::connection_options chatter;
  /// Events of live notifications held during a catch-up, at most.
  size_t max_buffered_events = 200'000;
  /// Makes the connection to the peer for `owner` (the sync actor),
  /// speaking peer_client's messages; empty: a peer_client broker.
  /// Deterministic tests put a scripted peer here.
  std::function<caf::actor(caf::actor owner)> connect_peer;
};

struct sync_state {
  enum class phase { connecting, catching_up, live, retry_wait };

  sync_settings settings;
  event_store_actor storage;
  /// Our engine while one runs (synced states go through it).
  engine_actor engine;
  caf::actor client;
  phase current = phase::connecting;
  /// Tells the current connection's answers and timers from older ones.
  uint64_t generation = 0;
  /// The newest peer event id we hold or have sent to the store.
  event_id last;
  /// Query events not yet written: the last (maybe partial) session.
  std::vector<event> pending;
  /// Live notifications during the catch-up, in arrival order.
  std::vector<std::vector<event>> buffered;
  size_t buffered_events = 0;
  /// Events the catch-up queries returned.
  int64_t count = 0;
  /// The synced state last registered ("CONNECTED", ...), none before.
  std::optional<std::string> synced;
  /// The store asked us to pause: no query, no reading, until it drained.
  bool paused = false;
  /// The catch-up's next query waits for the store.
  bool query_held = false;
  /// The peer left the monitor's list: end when the connection drops.
  bool gone = false;
  /// Whether the owner was told the peer is active; none before the
  /// first answer or failed connect.
  std::optional<bool> reported_active;

  static inline const char* name = "sync";
};

sync_actor::behavior_type
sync(sync_actor::stateful_pointer<sync_state> self, sync_settings settings,
     event_store_actor storage, engine_actor engine);

/// The payload of a synced state: {"state": "SYNCED", "count": 5} as the
/// reference's JSON encoder writes it (count null: not known).
std::string synced_payload(std::string_view state,
                           std::optional<int64_t> count, bool with_count);

}  // namespace hat
