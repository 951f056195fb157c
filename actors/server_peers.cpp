#include "actors/server_peers.hpp"

#include "actors/server_error.hpp"
#include "actors/sync_actor.hpp"
#include "log/logger.hpp"

namespace hat {

namespace {

using peer_key = std::tuple<int64_t, std::string, uint16_t>;

peer_key key_of(const peer_info& peer) {
  return {peer.server_id, peer.host, peer.port};
}

void spawn_sync(server_pointer self, const peer_info& peer) {
  auto& st = self->state;
  sync_settings settings;
  settings.server_id = st.config.server_id;
  settings.name = st.config.name;
  settings.server_token = st.config.server_token;
  settings.peer = peer;
  settings.metrics = st.metrics->peer(peer.name, peer.server_id);
  settings.owner = caf::actor_cast<sync_owner_actor>(self);
  settings.dialect = st.config.eventer_server.dialect;
  settings.boolean_synced = legacy_redundancy(st.config);
  settings.restart_on_synced = st.config.synced_restart_engine;
  settings.retry_delay = std::chrono::milliseconds{
    static_cast<int64_t>(st.config.sync_retry_delay * 1000)};
  settings.connect_peer = st.seams.connect_peer;
  auto engine = st.published == status::operational ? st.engine
                                                    : engine_actor{};
  auto actor = self->spawn<caf::monitored>(sync, std::move(settings),
                                           st.storage, engine);
  // A restarted actor keeps what its peer settled: only a peer never
  // heard of holds the engine back.
  auto& entry = st.syncs[key_of(peer)];
  entry.peer = peer;
  entry.actor = actor;
  entry.wanted = true;
  entry.active = false;
}

}  // namespace

bool legacy_redundancy(const config::server_config& conf) {
  return conf.schema == config::schema_version::v0_9_0
         || conf.eventer_server.dialect == eventer::dialect::v0_9_0;
}

void update_peers(server_pointer self, const std::vector<peer_info>& peers) {
  auto& st = self->state;
  if (st.machine.current_phase() == server_status_machine::phase::finishing)
    return;
  std::set<peer_key> listed;
  for (auto& peer : peers) {
    listed.insert(key_of(peer));
    auto found = st.syncs.find(key_of(peer));
    if (found == st.syncs.end()) {
      spawn_sync(self, peer);
    } else if (!found->second.wanted) {
      found->second.wanted = true;
      if (found->second.actor)
        self->send(found->second.actor, atom::gone::value, false);
    }
  }
  for (auto& [key, entry] : st.syncs)
    if (entry.wanted && listed.count(key) == 0) {
      entry.wanted = false;
      if (entry.actor)
        self->send(entry.actor, atom::gone::value, true);
    }
}

bool sync_down(server_pointer self, const caf::down_msg& msg) {
  auto& st = self->state;
  for (auto it = st.syncs.begin(); it != st.syncs.end(); ++it) {
    if (it->second.actor.address() != msg.source)
      continue;
    it->second.active = false;
    bool finishing = st.machine.current_phase()
                     == server_status_machine::phase::finishing;
    if (!it->second.wanted || finishing) {
      st.syncs.erase(it);
      return true;
    }
    it->second.actor = sync_actor{};
    auto delay = std::chrono::milliseconds{
      static_cast<int64_t>(st.config.sync_retry_delay * 1000)};
    HAT_LOG_ERROR("server", "the sync actor of ", it->second.peer.name,
                  " stopped: ", render_error(msg.reason),
                  "; starting it again in ", delay.count(), " ms");
    self->delayed_send(self, delay, atom::respawn::value, it->second.peer);
    return true;
  }
  return false;
}

std::string holding_peers(const server_state& st) {
  std::string names;
  for (auto& [key, entry] : st.syncs) {
    if (!entry.active && (entry.settled || !entry.wanted))
      continue;
    names += names.empty() ? "" : ", ";
    names += entry.peer.name + (entry.active ? " (active)"
                                             : " (not answered yet)");
  }
  return names;
}


void respawn_sync(server_pointer self, const peer_info& peer) {
  auto& st = self->state;
  auto found = st.syncs.find(key_of(peer));
  bool finishing = st.machine.current_phase()
                   == server_status_machine::phase::finishing;
  if (found == st.syncs.end() || found->second.actor || finishing)
    return;
  if (!found->second.wanted) {
    st.syncs.erase(found);
    return;
  }
  spawn_sync(self, peer);
}

bool note_peer_activity(server_pointer self, bool active) {
  for (auto& [key, entry] : self->state.syncs) {
    if (!entry.actor || entry.actor.address() != self->current_sender())
      continue;
    entry.settled = true;
    entry.active = active;
    return true;
  }
  return false;
}

bool peers_hold_engine(const server_state& st) {
  for (auto& [key, entry] : st.syncs)
    if (entry.active || (entry.wanted && !entry.settled))
      return true;
  return false;
}

void tell_syncs(server_pointer self, status now, const engine_actor& engine) {
  for (auto& [key, entry] : self->state.syncs)
    if (entry.actor)
      self->send(entry.actor, atom::status::value, now, engine);
}

}  // namespace hat
