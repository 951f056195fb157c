#include "actors/monitor_link.hpp"

#include "actors/atoms.hpp"
#include "actors/messages.hpp"
#include "actors/server_error.hpp"
#include "log/logger.hpp"

namespace hat {

namespace {

constexpr auto tick_interval = std::chrono::seconds{1};
constexpr size_t read_chunk = 64 * 1024;

/// The next tick. Anonymous: in CAF 0.17 a delayed message from a broker
/// to itself keeps the ended broker allocated.
void tick_later(monitor_link_pointer self) {
  caf::delayed_anon_send(caf::actor_cast<caf::actor>(self), tick_interval,
                         atom::tick::value);
}

void lose(monitor_link_pointer self, ec code, const std::string& why) {
  if (self->state.ended)
    return;
  self->state.ended = true;
  HAT_LOG_ERROR("monitor", why);
  if (self->valid(self->state.handle))
    self->close(self->state.handle);
  self->quit(make_error(code, why));
}

void send_client(monitor_link_pointer self, const observer::msg_client& msg) {
  auto& st = self->state;
  observer::message message{msg};
  // Every observer message opens its own conversation and ends it.
  st.chatter->send(self->wr_buf(st.handle), observer::type_name(message),
                   observer::encoded_size(message),
                   [&](char* at) { observer::encode_to(at, message); });
}

std::optional<int64_t> echoed_token(const observer::blessing_session& s) {
  return s.own_entry() ? s.own_entry()->blessing_res.token : std::nullopt;
}

void apply(monitor_link_pointer self,
           const observer::blessing_session::effects& effects);

/// After a ready reset: ready again once our answer is withdrawn and the
/// monitor echoes no token, or at the deadline.
void check_reset(monitor_link_pointer self) {
  auto& st = self->state;
  if (!st.reset_deadline || st.session->answer().token)
    return;
  bool timed_out = std::chrono::steady_clock::now() >= *st.reset_deadline;
  if (echoed_token(*st.session) && !timed_out)
    return;
  if (timed_out)
    HAT_LOG_WARNING("monitor", "ready again after a reset without the "
                               "monitor's echo");
  st.reset_deadline.reset();
  if (!st.duplicate_id)
    apply(self, st.session->set_ready(true));
}

void apply(monitor_link_pointer self,
           const observer::blessing_session::effects& effects) {
  auto& st = self->state;
  for (auto& msg : effects.send) {
    HAT_LOG_DEBUG("monitor", "blessing answer: token ",
                  msg.blessing_res.token ? std::to_string(
                                             *msg.blessing_res.token)
                                         : std::string{"none"},
                  ", ready ", msg.blessing_res.ready);
    send_client(self, msg);
  }
  if (!effects.send.empty())
    self->flush(st.handle);
  if (effects.engine && effects.engine != st.engine) {
    st.engine = effects.engine;
    HAT_LOG_INFO("monitor", *effects.engine
                              ? "blessed: the engine may run"
                              : "blessing withdrawn: the engine stops");
    self->send(st.server, atom::bless::value, *effects.engine);
  }
  check_reset(self);
}

/// Tells the server the peers of the new state (when they changed);
/// those with our own server id are left out. True when one was.
bool update_peers(monitor_link_pointer self, const observer::msg_server& msg) {
  auto& st = self->state;
  auto peers = observer::peers_of(msg, st.settings.group,
                                  st.settings.server_token);
  bool duplicate = false;
  std::erase_if(peers, [&](const observer::peer_info& peer) {
    if (peer.server_id != st.settings.server_id)
      return false;
    duplicate = true;
    if (!st.duplicate_id)
      HAT_LOG_ERROR("monitor", "component ", peer.name, " at ", peer.host,
                    ":", peer.port, " of group ", st.settings.group,
                    " has our server_id ", peer.server_id,
                    ": not synchronising with it, and this server stays "
                    "standby while it is listed");
    return true;
  });
  if (!st.peers || *st.peers != peers) {
    st.peers = peers;
    self->send(st.server, atom::peers::value, std::move(peers));
  }
  return duplicate;
}

/// A member with our server id makes this server give its blessing up
/// while it is listed.
void give_up_for_duplicate(monitor_link_pointer self, bool duplicate) {
  auto& st = self->state;
  if (duplicate == st.duplicate_id)
    return;
  st.duplicate_id = duplicate;
  if (!duplicate)
    HAT_LOG_INFO("monitor", "no other member has our server_id any more");
  if (!st.reset_deadline)
    apply(self, st.session->set_ready(!duplicate));
}

bool on_message(monitor_link_pointer self, const chatter::received_msg& m) {
  auto& st = self->state;
  auto decoded = observer::decode_message(m.type, m.data);
  if (!decoded) {
    lose(self, ec::monitor_lost,
         "the monitor sent a message that does not decode ("
           + std::string{m.type} + ")");
    return false;
  }
  if (auto* server = std::get_if<observer::msg_server>(&*decoded)) {
    // The peers first: a blessing in the same state finds the server
    // already waiting for them (§2.4).
    bool duplicate = update_peers(self, *server);
    apply(self, st.session->received(*server));
    give_up_for_duplicate(self, duplicate);
    return true;
  }
  if (std::holds_alternative<observer::msg_close>(*decoded)) {
    // As hat-event 0.9.18+: the engine stops before the monitor sees us
    // go, so that it cannot bless a peer while our engine still runs. The
    // link stays until the server stops it (first of its parts).
    HAT_LOG_WARNING("monitor", "the monitor asked this server to close");
    self->send(st.server, atom::close::value,
               make_error(ec::monitor_closed,
                          "the monitor asked this server to close"));
    return true;
  }
  HAT_LOG_WARNING("monitor", "ignored a ", m.type, " from the monitor");
  return true;
}

}  // namespace

caf::behavior monitor_link(monitor_link_pointer self,
                           caf::io::connection_handle handle,
                           monitor_link_settings settings, caf::actor server) {
  auto& st = self->state;
  st.handle = handle;
  st.server = std::move(server);
  st.chatter.emplace(settings.chatter);
  st.session.emplace(settings.name, settings.group, settings.data);
  st.settings = std::move(settings);
  self->configure_read(handle, caf::io::receive_policy::at_most(read_chunk));
  HAT_LOG_INFO("monitor", "connected as ", st.settings.name, " in group ",
               st.settings.group);
  apply(self, st.session->connected());
  // Ready once the connection exists (as the reference's main runner).
  apply(self, st.session->set_ready(true));
  tick_later(self);
  return {
    [self](caf::io::new_data_msg& msg) {
      auto& st = self->state;
      auto error = st.chatter->receive(
        msg.buf, chatter::clock::now(), self->wr_buf(st.handle),
        [self](const chatter::received_msg& m) { return on_message(self, m); });
      if (st.ended)
        return;
      if (error)
        return lose(self, ec::monitor_lost,
                    "the monitor sent bytes that do not decode: "
                      + error->to_string());
      self->flush(st.handle);
    },
    [self](caf::io::connection_closed_msg&) {
      lose(self, ec::monitor_lost, "the connection to the monitor closed");
    },
    [self](atom::engine_stopped) {
      apply(self, self->state.session->engine_stopped());
    },
    [self](atom::reset_ready) {
      auto& st = self->state;
      if (st.reset_deadline || !st.session->ready()) {
        HAT_LOG_INFO("monitor", "ready reset asked while one is under way: "
                                "dropped");
        return;
      }
      HAT_LOG_INFO("monitor", "ready reset: giving the blessing up");
      st.reset_deadline = std::chrono::steady_clock::now()
                          + st.settings.reset_timeout;
      apply(self, st.session->set_ready(false));
    },
    [self](atom::tick) {
      auto& st = self->state;
      auto now = chatter::clock::now();
      if (now >= st.chatter->next_keepalive_check()) {
        auto action = st.chatter->check_keepalive(now, self->wr_buf(st.handle));
        if (action == chatter::keepalive_action::timed_out)
          return lose(self, ec::monitor_lost,
                      "the monitor did not answer a ping");
        if (action == chatter::keepalive_action::ping_sent)
          self->flush(st.handle);
      }
      check_reset(self);
      tick_later(self);
    },
  };
}

}  // namespace hat
