#include "actors/sync_actor.hpp"

#include <caf/io/middleman.hpp>
#include <utility>

#include "actors/peer_client.hpp"
#include "actors/server_error.hpp"
#include "log/logger.hpp"
#include "protocol/timestamp_conversion.hpp"

namespace hat {

namespace {

using sync_pointer = sync_actor::stateful_pointer<sync_state>;
using phase = sync_state::phase;

std::string describe(sync_pointer self) {
  auto& peer = self->state.settings.peer;
  return "peer " + peer.name + " (server " + std::to_string(peer.server_id)
         + ", " + peer.host + ":" + std::to_string(peer.port) + ")";
}

/// Registers synced state `state` on the peer (through the connection, no
/// answer) and locally through our engine when one runs. 0.9.0: a
/// boolean (false once connected, true once synced), locally only.
void set_synced(sync_pointer self, std::string state,
                std::optional<int64_t> count) {
  auto& st = self->state;
  HAT_LOG_INFO("sync", describe(self), ": ", state,
               count ? " (" + std::to_string(*count) + " events)" : "");
  bool boolean = st.settings.boolean_synced;
  if (boolean && state == "SYNCING")
    return;
  st.synced = state;
  register_event synced{
    {"event", std::to_string(st.settings.server_id), "synced",
     std::to_string(st.settings.peer.server_id)},
    std::nullopt,
    payload_json{boolean ? (state == "SYNCED" ? "true" : "false")
                         : synced_payload(state, count, state == "SYNCED")},
  };
  if (st.client && !boolean)
    caf::anon_send(st.client, atom::register_::value,
               std::vector<register_event>{synced});
  if (st.engine)
    self
      ->request(st.engine, caf::infinite, atom::register_::value,
                event_source{event_source::kind::server, 0},
                std::vector<register_event>{synced})
      .then([](const storage::event_batch&) {},
            [](caf::error& err) {
              log_dropped("sync", "registering a synced state locally", err);
            });
}

/// Tells the owner whether the peer is active, when that changed.
void report_active(sync_pointer self, bool active) {
  auto& st = self->state;
  if (st.reported_active == active)
    return;
  st.reported_active = active;
  if (st.settings.owner)
    self->send(st.settings.owner, atom::peer_active::value, active);
}

void query_next(sync_pointer self);

/// Waits for the store's backlog to drain: no query and no reading meanwhile.
void pause_for_store(sync_pointer self) {
  auto& st = self->state;
  if (st.paused)
    return;
  st.paused = true;
  if (st.client)
    caf::anon_send(st.client, atom::pause::value, true);
  self->request(st.storage, caf::infinite, atom::backlog::value)
    .then(
      [self](atom::ok) {
        auto& st = self->state;
        st.paused = false;
        if (st.client)
          caf::anon_send(st.client, atom::pause::value, false);
        if (std::exchange(st.query_held, false))
          query_next(self);
      },
      [self](caf::error& err) {
        // The store failed: the server stops; nothing more to write.
        log_dropped("sync", "waiting for the store", err);
      });
}

/// Counts `events` copied, the newest one's delay in the lag.
void count_copied(sync_pointer self, const std::vector<event>& events) {
  auto& metrics = *self->state.settings.metrics;
  metrics.events.fetch_add(events.size(), std::memory_order_relaxed);
  auto now = timestamp_now();
  auto& newest = events.back().timestamp;
  metrics.lag_microseconds.store((now.s - newest.s) * 1'000'000
                                   + (now.us - newest.us),
                                 std::memory_order_relaxed);
}

/// One batch through the store's write port.
void write(sync_pointer self, std::vector<event> events) {
  if (events.empty())
    return;
  count_copied(self, events);
  auto batch = std::make_shared<const std::vector<event>>(std::move(events));
  self->request(self->state.storage, caf::infinite, atom::store::value, batch)
    .then(
      [self](store_receipt receipt) {
        if (receipt.pause)
          pause_for_store(self);
      },
      [self](caf::error& err) {
        log_dropped("sync", "storing events of " + describe(self), err);
      });
}

/// Drops the connection; the client's end brings the reconnect.
void drop(sync_pointer self, const std::string& why) {
  auto& st = self->state;
  HAT_LOG_WARNING("sync", describe(self), ": ", why);
  if (st.client)
    self->send_exit(st.client, make_error(ec::peer_lost, why));
}

/// The end of the catch-up: the last session, then the buffered
/// notifications newer than what the queries returned.
void finish_catch_up(sync_pointer self) {
  auto& st = self->state;
  write(self, std::exchange(st.pending, {}));
  for (auto& notified : std::exchange(st.buffered, {})) {
    std::vector<event> newer;
    for (auto& e : notified)
      if (st.last < e.id)
        newer.push_back(std::move(e));
    if (!newer.empty()) {
      st.last = newer.back().id;
      write(self, std::move(newer));
    }
  }
  st.buffered_events = 0;
  st.current = phase::live;
  st.settings.metrics->synced.store(true, std::memory_order_relaxed);
  set_synced(self, "SYNCED", st.count);
  if (st.settings.restart_on_synced && st.count > 0 && st.settings.owner) {
    HAT_LOG_INFO("sync", describe(self), ": events copied; restarting the "
                                         "engine (synced_restart_engine)");
    self->send(st.settings.owner, atom::restart::value);
  }
}

void on_page(sync_pointer self, query_result& result) {
  auto& st = self->state;
  if (!result.events.empty() && st.count == 0)
    set_synced(self, "SYNCING", std::nullopt);
  st.count += static_cast<int64_t>(result.events.size());
  for (auto& e : result.events)
    st.pending.push_back(std::move(e));
  if (!st.pending.empty())
    st.last = st.pending.back().id;
  // Every complete session (all but the last) is written as one batch.
  auto last_session = st.pending.empty() ? 0 : st.pending.back().id.session;
  size_t begin = 0;
  while (begin < st.pending.size()
         && st.pending[begin].id.session != last_session) {
    size_t end = begin;
    while (end < st.pending.size()
           && st.pending[end].id.session == st.pending[begin].id.session)
      ++end;
    write(self, {std::make_move_iterator(st.pending.begin() + begin),
                 std::make_move_iterator(st.pending.begin() + end)});
    begin = end;
  }
  st.pending.erase(st.pending.begin(), st.pending.begin() + begin);
  if (result.more_follows && !result.events.empty())
    return query_next(self);
  // An empty page that says more follows would ask the same query for
  // ever: the peer is wrong, and the live phase takes over.
  if (result.more_follows)
    HAT_LOG_WARNING("sync", describe(self), ": an empty page said more "
                            "follows; catch-up ended");
  finish_catch_up(self);
}

void query_next(sync_pointer self) {
  auto& st = self->state;
  if (st.paused) {
    st.query_held = true;
    return;
  }
  auto generation = st.generation;
  self
    ->request(st.client, caf::infinite, atom::query::value,
              query_params{query_server_params{st.settings.peer.server_id,
                                               true, std::nullopt, st.last}})
    .then(
      [self, generation](query_result& result) {
        if (generation == self->state.generation)
          on_page(self, result);
      },
      // The client ends with the reason; its down message reconnects.
      [](caf::error&) {});
}

void connect(sync_pointer self) {
  auto& st = self->state;
  ++st.generation;
  st.current = phase::connecting;
  st.pending.clear();
  st.buffered.clear();
  st.buffered_events = 0;
  st.count = 0;
  st.synced.reset();
  st.query_held = false;
  auto owner = caf::actor_cast<caf::actor>(self);
  if (st.settings.connect_peer) {
    st.client = st.settings.connect_peer(owner);
  } else {
    peer_client_settings settings;
    settings.host = st.settings.peer.host;
    settings.port = st.settings.peer.port;
    settings.session.init = eventer::msg_init_req{
      "event/" + st.settings.name, st.settings.server_token, {{"*"}},
      st.settings.peer.server_id, true};
    settings.session.chatter = st.settings.chatter;
    settings.session.dialect = st.settings.dialect;
    st.client = self->system().middleman().spawn_broker(
      peer_client, std::move(settings), owner);
  }
  self->monitor(st.client);
  if (st.paused)
    caf::anon_send(st.client, atom::pause::value, true);
}

void on_client_down(sync_pointer self, const caf::down_msg& msg) {
  auto& st = self->state;
  if (!st.client || msg.source != st.client.address())
    return;
  st.client = nullptr;
  st.settings.metrics->synced.store(false, std::memory_order_relaxed);
  // Not connected: not active, whether it was or never answered.
  report_active(self, false);
  bool was_connected = st.current == phase::catching_up
                       || st.current == phase::live;
  auto why = render_error(msg.reason);
  if (st.gone) {
    HAT_LOG_INFO("sync", describe(self), " left the group: ", why);
    self->quit();
    return;
  }
  if (was_connected) {
    HAT_LOG_WARNING("sync", "connection lost: ", why, "; reconnecting");
    connect(self);
    return;
  }
  HAT_LOG_WARNING("sync", why, "; retrying in ",
                  st.settings.retry_delay.count(), " ms");
  st.current = phase::retry_wait;
  self->delayed_send(self, st.settings.retry_delay, atom::tick::value,
                     st.generation);
}

}  // namespace

std::string synced_payload(std::string_view state,
                           std::optional<int64_t> count, bool with_count) {
  std::string text = "{\"state\": \"" + std::string{state} + "\"";
  if (with_count)
    text += ", \"count\": " + (count ? std::to_string(*count) : "null");
  return text + "}";
}

sync_actor::behavior_type sync(sync_pointer self, sync_settings settings,
                               event_store_actor storage,
                               engine_actor engine) {
  auto& st = self->state;
  st.settings = std::move(settings);
  st.storage = std::move(storage);
  st.engine = std::move(engine);
  st.last = event_id{st.settings.peer.server_id, 0, 0};
  // A sync actor started again catches up anew.
  st.settings.metrics->synced.store(false, std::memory_order_relaxed);
  self->set_down_handler(
    [self](caf::down_msg& msg) { on_client_down(self, msg); });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (self->state.client)
      self->send_exit(self->state.client, caf::exit_reason::user_shutdown);
    self->quit(msg.reason);
  });
  HAT_LOG_INFO("sync", "synchronising with ", describe(self));
  connect(self);
  return {
    [self](atom::status, status, engine_actor& engine) {
      self->state.engine = std::move(engine);
    },
    [self](atom::gone, bool gone) {
      auto& st = self->state;
      st.gone = gone;
      if (gone && st.current == phase::retry_wait) {
        HAT_LOG_INFO("sync", describe(self), " left the group");
        self->quit();
      }
    },
    [self](atom::connected, status peer_status) {
      auto& st = self->state;
      st.current = phase::catching_up;
      report_active(self, peer_status != status::standby);
      auto generation = st.generation;
      self
        ->request(st.storage, caf::infinite, atom::last_id::value,
                  st.settings.peer.server_id)
        .then(
          [self, generation](event_id last) {
            auto& st = self->state;
            if (generation != st.generation)
              return;
            st.last = last;
            set_synced(self, "CONNECTED", std::nullopt);
            query_next(self);
          },
          [self](caf::error& err) {
            log_dropped("sync", "reading the last event id", err);
            drop(self, "the store cannot tell the last event id");
          });
    },
    [self](atom::status, status peer_status) {
      auto& st = self->state;
      report_active(self, peer_status != status::standby);
      // As the reference: an operational peer hears our state again
      // (0.9.0's boolean states are local only).
      if (peer_status != status::operational || !st.synced || !st.client
          || st.settings.boolean_synced)
        return;
      register_event synced{
        {"event", std::to_string(st.settings.server_id), "synced",
         std::to_string(st.settings.peer.server_id)},
        std::nullopt,
        payload_json{
          synced_payload(*st.synced, std::nullopt, *st.synced == "SYNCED")},
      };
      caf::anon_send(st.client, atom::register_::value,
                 std::vector<register_event>{synced});
    },
    [self](atom::notify, std::vector<event>& events) {
      auto& st = self->state;
      if (st.current == phase::catching_up) {
        st.buffered_events += events.size();
        st.buffered.push_back(std::move(events));
        if (st.buffered_events > st.settings.max_buffered_events)
          drop(self, "more than " + std::to_string(
                                      st.settings.max_buffered_events)
                       + " events notified during the catch-up: "
                         "reconnecting to read them by query");
        return;
      }
      if (st.current != phase::live)
        return;
      std::vector<event> newer;
      for (auto& e : events)
        if (st.last < e.id)
          newer.push_back(std::move(e));
      if (newer.empty())
        return;
      st.last = newer.back().id;
      write(self, std::move(newer));
    },
    [self](atom::tick, uint64_t generation) {
      auto& st = self->state;
      if (generation == st.generation && st.current == phase::retry_wait)
        connect(self);
    },
  };
}

}  // namespace hat
