#include "actors/peer_client.hpp"

#include "actors/atoms.hpp"
#include "actors/connect_socket.hpp"
#include "actors/messages.hpp"
#include "actors/server_error.hpp"
#include "log/logger.hpp"

namespace hat {

namespace {

constexpr auto tick_interval = std::chrono::seconds{1};
constexpr size_t read_chunk = 64 * 1024;

std::string peer_name(peer_client_pointer self) {
  auto& s = self->state.settings;
  return s.host + ":" + std::to_string(s.port);
}

/// The next tick. Anonymous: in CAF 0.17 a delayed message from a broker
/// to itself keeps the ended broker allocated.
void tick_later(peer_client_pointer self) {
  caf::delayed_anon_send(caf::actor_cast<caf::actor>(self), tick_interval,
                         atom::tick::value);
}

/// Ends the client: waiting queries hear why, the owner sees the reason
/// in its down message.
void end(peer_client_pointer self, const std::string& why) {
  auto& st = self->state;
  if (st.ended)
    return;
  st.ended = true;
  bool initialised = st.session && st.session->has_init_answer();
  auto err = make_error(initialised ? ec::peer_lost : ec::peer_unreachable,
                        peer_name(self), ": ", why);
  for (auto& [id, promise] : std::exchange(st.queries, {}))
    promise.deliver(err);
  if (self->valid(st.handle))
    self->close(st.handle);
  self->quit(err);
}

void handle(peer_client_pointer self, eventer::client_news& news) {
  auto& st = self->state;
  if (auto* answer = std::get_if<eventer::init_answered>(&news)) {
    if (answer->error)
      return end(self, "init refused: " + *answer->error);
    self->send(st.owner, atom::connected::value, answer->status);
  } else if (auto* changed = std::get_if<eventer::status_changed>(&news)) {
    self->send(st.owner, atom::status::value, changed->status);
  } else if (auto* arrived = std::get_if<eventer::events_arrived>(&news)) {
    self->send(st.owner, atom::notify::value, std::move(arrived->events));
  } else if (auto* answer = std::get_if<eventer::query_answered>(&news)) {
    auto found = st.queries.find(answer->request);
    if (found != st.queries.end()) {
      found->second.deliver(std::move(answer->result));
      st.queries.erase(found);
    }
  }
  // Register answers are never asked for: the session refuses them.
  st.session->acknowledge(self->wr_buf(st.handle), news);
}

void on_data(peer_client_pointer self, const std::vector<char>& bytes) {
  auto& st = self->state;
  std::vector<eventer::client_news> news;
  auto error = st.session->receive(bytes, chatter::clock::now(),
                                   self->wr_buf(st.handle), news);
  for (auto& n : news) {
    handle(self, n);
    if (st.ended)
      return;
  }
  if (error)
    return end(self, error->to_string());
  self->flush(st.handle);
}

void on_tick(peer_client_pointer self) {
  auto& st = self->state;
  if (st.ended)
    return;
  auto now = chatter::clock::now();
  if (!st.session->has_init_answer() && now >= st.init_deadline)
    return end(self, "no answer to the init request");
  if (now >= st.session->next_keepalive_check()) {
    auto action = st.session->check_keepalive(now, self->wr_buf(st.handle));
    if (action == chatter::keepalive_action::timed_out)
      return end(self, "no answer to a ping");
    if (action == chatter::keepalive_action::ping_sent)
      self->flush(st.handle);
  }
  tick_later(self);
}

}  // namespace

caf::behavior peer_client(peer_client_pointer self,
                          peer_client_settings settings, caf::actor owner) {
  auto& st = self->state;
  st.owner = std::move(owner);
  st.settings = std::move(settings);
  auto fd = start_connect(st.settings.host, st.settings.port);
  if (!fd) {
    self->quit(fd.error());
    return {};
  }
  st.handle = self->add_scribe(*fd);
  // Ends with its owner, however the owner ends (a kill skips the
  // owner's exit handler, which would otherwise close this client).
  self->monitor(st.owner);
  self->set_down_handler([self](caf::down_msg& msg) {
    if (msg.source == self->state.owner.address())
      end(self, "its sync actor stopped");
  });
  st.session.emplace(st.settings.session);
  st.init_deadline = chatter::clock::now() + st.settings.init_timeout;
  self->configure_read(st.handle, caf::io::receive_policy::at_most(read_chunk));
  // Written once the connect completes.
  st.session->start(self->wr_buf(st.handle));
  self->flush(st.handle);
  tick_later(self);
  return {
    [self](caf::io::new_data_msg& msg) { on_data(self, msg.buf); },
    [self](caf::io::connection_closed_msg&) {
      end(self, self->state.session->has_init_answer()
                  ? "connection closed"
                  : "connection refused or closed before the init answer");
    },
    [self](atom::query, const query_params& params) -> caf::result<query_result> {
      auto& st = self->state;
      if (st.ended)
        return make_error(ec::peer_lost, peer_name(self), ": closed");
      auto request = st.session->send_query(self->wr_buf(st.handle), params);
      self->flush(st.handle);
      auto promise = self->make_response_promise();
      st.queries.emplace(request, promise);
      return caf::delegated<query_result>{};
    },
    [self](atom::register_, const std::vector<register_event>& events) {
      auto& st = self->state;
      if (st.ended)
        return;
      st.session->send_register(self->wr_buf(st.handle), events, false);
      self->flush(st.handle);
    },
    [self](atom::pause, bool paused) {
      auto& st = self->state;
      if (st.ended)
        return;
      if (paused)
        st.reading.halt(self, st.handle);
      else
        st.reading.resume(self);
    },
    [self](atom::read_on) {
      auto& st = self->state;
      if (!st.ended)
        st.reading.on_read_on(self, st.handle);
    },
    [self](atom::tick) { on_tick(self); },
  };
}

}  // namespace hat
