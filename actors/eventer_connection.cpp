#include "actors/eventer_connection.hpp"

#include "log/logger.hpp"
#include "protocol/event_type.hpp"
#include "protocol/register_validation.hpp"

namespace hat {

namespace {

using phase = eventer_connection_state::phase;
using eventer::dialect;

constexpr size_t max_early_messages = 1024;
constexpr size_t read_chunk = 64 * 1024;

std::string describe(eventer_connection_pointer self) {
  auto& st = self->state;
  std::string who = "connection " + std::to_string(st.conn_id);
  if (!st.client_name.empty())
    who += " (" + st.client_name + ")";
  return who;
}

/// Encodes `msg` straight into the socket's send buffer as one frame of
/// type `Named` (the message whose bytes `msg` produces).
template <class Named, class Msg>
chatter::conversation
send_as(eventer_connection_pointer self, const Msg& msg,
        std::optional<chatter::conversation> conv, bool last) {
  auto& st = self->state;
  auto d = st.settings.dialect;
  auto result = st.chatter->send(
    self->wr_buf(st.handle), eventer::type_name_of<Named>(),
    eventer::encoded_size(msg, d),
    [&](char* at) { eventer::encode_to(at, msg, d); }, conv, last);
  self->flush(st.handle);
  return result;
}

template <class Msg>
chatter::conversation
send_msg(eventer_connection_pointer self, const Msg& msg,
         std::optional<chatter::conversation> conv, bool last) {
  return send_as<Msg>(self, msg, conv, last);
}

register_event eventer_status_event(eventer_connection_pointer self,
                                    std::string_view what) {
  auto& st = self->state;
  return register_event{
    {"event", std::to_string(st.settings.server_id), "eventer",
     st.client_name},
    std::nullopt,
    payload_json{"\"" + std::string{what} + "\""},
  };
}

/// The v0.9.0 dialect only tells operational from not operational.
bool same_on_wire(status a, status b, dialect d) {
  if (d == dialect::current)
    return a == b;
  return (a == status::operational) == (b == status::operational);
}

event_source source_of(eventer_connection_pointer self) {
  return {event_source::kind::eventer, self->state.conn_id};
}

/// Leaves the fan-out, registers DISCONNECTED and stops.
void finish(eventer_connection_pointer self) {
  auto& st = self->state;
  bool was_ready = st.current == phase::ready;
  st.current = phase::closing;
  if (was_ready) {
    self->send(st.fanout, atom::leave::value, st.conn_id);
    if (st.engine)
      caf::anon_send(st.engine, atom::register_::value, source_of(self),
                     std::vector<register_event>{
                       eventer_status_event(self, "DISCONNECTED")});
  }
  self->quit();
}

/// Closes this connection only; the server and other clients go on.
void close_connection(eventer_connection_pointer self,
                      const std::string& why) {
  if (self->state.current == phase::closing)
    return;
  HAT_LOG_WARNING("eventer", describe(self), " closed: ", why);
  self->close(self->state.handle);
  finish(self);
}

void dispatch(eventer_connection_pointer self, std::string_view type,
              std::span<const char> data, chatter::conversation conv,
              bool last);
void register_done(eventer_connection_pointer self);

void become_ready(eventer_connection_pointer self, status current,
                  engine_actor engine) {
  auto& st = self->state;
  st.status = current;
  st.engine = std::move(engine);
  st.current = phase::ready;
  send_msg(self, eventer::msg_init_res{std::nullopt, current},
           st.init_conversation, true);
  HAT_LOG_INFO("eventer", describe(self), " initialised");
  auto early = std::move(st.early);
  for (auto& msg : early) {
    if (st.current != phase::ready)
      break;
    dispatch(self, msg.type, msg.data, msg.conv, msg.last);
  }
}

void join_fanout(eventer_connection_pointer self, notify_filter filter) {
  auto& st = self->state;
  self
    ->request(st.fanout, caf::infinite, atom::join::value,
              caf::actor{self}, st.conn_id, st.client_name, std::move(filter))
    .then(
      [self](status current, engine_actor engine) {
        if (self->state.current == phase::initializing)
          become_ready(self, current, std::move(engine));
      },
      [self](caf::error& err) {
        close_connection(self, "notification fan-out unavailable: "
                                 + self->system().render(err));
      });
}

/// The engine answered before the store saw the CONNECTED session; one
/// round trip through the store orders the join after that session's
/// notification reached the fan-out, so the client never gets it.
void join_after_store(eventer_connection_pointer self, notify_filter filter) {
  auto& st = self->state;
  self
    ->request(st.storage, caf::infinite, atom::last_id::value,
              st.settings.server_id)
    .then([self, filter](const event_id&) mutable {
            join_fanout(self, std::move(filter));
          },
          [self](caf::error& err) {
            close_connection(self, "event store unavailable: "
                                     + self->system().render(err));
          });
}

void refuse_init(eventer_connection_pointer self, const std::string& why) {
  auto& st = self->state;
  HAT_LOG_WARNING("eventer", describe(self), " refused: ", why);
  send_msg(self, eventer::msg_init_res{why, status::standby},
           st.init_conversation, true);
  // The reference waits for the client to close, then closes itself.
  // Anonymous: in CAF 0.17 a delayed message that reaches a broker after
  // it ended stays in its mailbox, and with the broker itself as sender
  // that keeps the broker (about 2 KB) allocated for good.
  caf::delayed_anon_send(caf::actor_cast<caf::actor>(self),
                         st.settings.refusal_grace, atom::close::value);
}

void handle_init(eventer_connection_pointer self,
                 eventer::msg_init_req& req, chatter::conversation conv) {
  auto& st = self->state;
  st.current = phase::initializing;
  st.init_conversation = conv;
  st.client_name = req.client_name;
  if (req.client_token && req.client_token != st.settings.server_token)
    return refuse_init(self, "invalid client token");
  for (auto& type : req.subscriptions)
    if (auto why = invalid_query_type_reason(type))
      return refuse_init(self, *why);
  notify_filter filter{subscription{req.subscriptions}, req.server_id,
                       req.persisted};
  // CONNECTED is registered before joining the fan-out, so the client is
  // not told of its own arrival (as with the reference).
  self->request(st.fanout, caf::infinite, atom::get::value, atom::status::value)
    .then(
      [self, filter](status, engine_actor engine) mutable {
        if (!engine)
          return join_fanout(self, std::move(filter));
        self
          ->request(engine, caf::infinite, atom::register_::value,
                    source_of(self),
                    std::vector<register_event>{
                      eventer_status_event(self, "CONNECTED")})
          .then([self, filter](const storage::event_batch&) mutable {
                  join_after_store(self, std::move(filter));
                },
                [self, filter](caf::error&) mutable {
                  join_fanout(self, std::move(filter));
                });
      },
      [self](caf::error& err) {
        close_connection(self, "notification fan-out unavailable: "
                                 + self->system().render(err));
      });
}

void handle_register(eventer_connection_pointer self,
                     eventer::msg_register_req& req,
                     chatter::conversation conv, bool last) {
  auto& st = self->state;
  // Refused as a whole, the connection kept: nothing of it is stored.
  if (auto why = invalid_register_events_reason(req.events)) {
    HAT_LOG_WARNING("eventer", describe(self), ": register refused: ", *why);
    if (!last)
      send_msg(self, eventer::msg_register_res{}, conv, true);
    return;
  }
  if (!st.engine) {
    if (!last)
      send_msg(self, eventer::msg_register_res{}, conv, true);
    return;
  }
  auto requested = req.events.size();
  ++st.registers_in_flight;
  self
    ->request(st.engine, caf::infinite, atom::register_::value,
              source_of(self), std::move(req.events))
    .then(
      [self, conv, last, requested](const storage::event_batch& session) {
        if (self->state.current != phase::ready)
          return;
        // The session's first events are the caller's; modules' additions
        // follow and are not the caller's business.
        if (!last)
          send_as<eventer::msg_register_res>(
            self,
            eventer::msg_register_res_view{std::span<const event>{
              session->data(), std::min(requested, session->size())}},
            conv, true);
        register_done(self);
      },
      [self, conv, last](caf::error&) {
        if (self->state.current != phase::ready)
          return;
        if (!last)
          send_msg(self, eventer::msg_register_res{}, conv, true);
        register_done(self);
      });
}

void send_query(eventer_connection_pointer self, query_params params,
                chatter::conversation conv) {
  auto& st = self->state;
  self
    ->request(st.storage, caf::infinite, atom::query::value,
              std::move(params))
    .then(
      [self, conv](query_result& result) {
        if (self->state.current == phase::ready)
          send_msg(self, eventer::msg_query_res{std::move(result)}, conv,
                   true);
      },
      [self](caf::error& err) {
        close_connection(self,
                         "query failed: " + self->system().render(err));
      });
}

void handle_query(eventer_connection_pointer self, eventer::msg_query_req& req,
                  chatter::conversation conv) {
  auto& st = self->state;
  if (st.registers_in_flight > 0)
    st.held_queries.push_back({std::move(req.params), conv});
  else
    send_query(self, std::move(req.params), conv);
}

void register_done(eventer_connection_pointer self) {
  auto& st = self->state;
  if (--st.registers_in_flight > 0)
    return;
  auto held = std::move(st.held_queries);
  for (auto& query : held)
    send_query(self, std::move(query.params), query.conv);
}

void dispatch(eventer_connection_pointer self, std::string_view type,
              std::span<const char> data, chatter::conversation conv,
              bool last) {
  auto& st = self->state;
  auto decoded = eventer::decode_message(type, data, st.settings.dialect);
  if (!decoded) {
    close_connection(self, "cannot decode " + std::string{type} + ": "
                             + decoded.error().to_string());
    return;
  }
  auto& msg = *decoded;
  if (auto req = std::get_if<eventer::msg_register_req>(&msg)) {
    handle_register(self, *req, conv, last);
  } else if (auto query = std::get_if<eventer::msg_query_req>(&msg)) {
    handle_query(self, *query, conv);
  } else if (std::holds_alternative<eventer::msg_events_ack>(msg)
             || std::holds_alternative<eventer::msg_status_ack>(msg)) {
    // Acknowledgements of notifications we sent with last=true: nothing
    // waits for them.
  } else {
    close_connection(self, "unexpected message " + std::string{type});
  }
}

/// One received application message; false stops reading this chunk.
bool on_message(eventer_connection_pointer self,
                const chatter::received_msg& msg) {
  auto& st = self->state;
  switch (st.current) {
    case phase::awaiting_init: {
      if (msg.type != eventer::type_name_of<eventer::msg_init_req>()) {
        close_connection(self, "first message is " + std::string{msg.type}
                                 + ", not HatEventer.MsgInitReq");
        return false;
      }
      auto req = eventer::decode<eventer::msg_init_req>(msg.data,
                                                        st.settings.dialect);
      if (!req) {
        close_connection(self, "cannot decode HatEventer.MsgInitReq: "
                                 + req.error().to_string());
        return false;
      }
      handle_init(self, *req, msg.conv);
      return st.current != phase::closing;
    }
    case phase::initializing: {
      if (st.early.size() >= max_early_messages) {
        close_connection(self, "too many messages before init finished");
        return false;
      }
      st.early.push_back({std::string{msg.type},
                          {msg.data.begin(), msg.data.end()}, msg.conv,
                          msg.last});
      return true;
    }
    case phase::ready:
      dispatch(self, msg.type, msg.data, msg.conv, msg.last);
      return st.current == phase::ready;
    case phase::closing:
      return false;
  }
  return false;
}

}  // namespace

caf::behavior eventer_connection(eventer_connection_pointer self,
                                 caf::io::connection_handle handle,
                                 int64_t conn_id, eventer_settings settings,
                                 notify_fanout_actor fanout,
                                 event_store_actor storage) {
  auto& st = self->state;
  st.handle = handle;
  st.conn_id = conn_id;
  st.chatter.emplace(settings.chatter);
  st.partial_frames.attach(settings.partial_frames);
  st.settings = std::move(settings);
  st.fanout = std::move(fanout);
  st.storage = std::move(storage);
  self->configure_read(handle, caf::io::receive_policy::at_most(read_chunk));
  return {
    [self](caf::io::new_data_msg& msg) {
      auto& st = self->state;
      if (st.current == phase::closing)
        return;
      auto error = st.chatter->receive(
        msg.buf, chatter::clock::now(), self->wr_buf(st.handle),
        [self](const chatter::received_msg& m) { return on_message(self, m); });
      if (st.current == phase::closing)
        return;
      if (st.partial_frames.update(st.chatter->partial_frame_bytes())) {
        auto* budget = st.partial_frames.budget();
        return close_connection(
          self, "partial frames of all connections hold "
                  + std::to_string(budget->used)
                  + " bytes, over eventer_server.max_partial_frame_memory ("
                  + std::to_string(budget->limit) + ")");
      }
      self->flush(st.handle);
      if (error)
        close_connection(self, "malformed chatter data: " + error->to_string());
    },
    [self](caf::io::connection_closed_msg&) {
      if (self->state.current != phase::closing)
        HAT_LOG_INFO("eventer", describe(self), " closed by the client");
      finish(self);
    },
    [self](atom::notify, const shared_bytes& payload) {
      auto& st = self->state;
      if (st.current != phase::ready)
        return;
      auto& out = self->wr_buf(st.handle);
      if (out.size() > st.settings.max_send_queue)
        return close_connection(self, "client does not read: "
                                        + std::to_string(out.size())
                                        + " bytes waiting to be sent");
      st.chatter->send(out,
                       eventer::type_name_of<eventer::msg_events_notify>(),
                       std::span<const char>{*payload}, std::nullopt, true);
      self->flush(st.handle);
    },
    [self](atom::status, status current, engine_actor& engine) {
      auto& st = self->state;
      st.engine = std::move(engine);
      if (st.current == phase::ready
          && !same_on_wire(st.status, current, st.settings.dialect))
        send_msg(self, eventer::msg_status_notify{current}, std::nullopt,
                 true);
      st.status = current;
    },
    [self](atom::tick) {
      auto& st = self->state;
      if (st.current == phase::closing)
        return;
      auto now = chatter::clock::now();
      if (now < st.chatter->next_keepalive_check())
        return;
      auto action = st.chatter->check_keepalive(now, self->wr_buf(st.handle));
      if (action == chatter::keepalive_action::timed_out)
        return close_connection(self, "no answer to ping");
      if (action == chatter::keepalive_action::ping_sent)
        self->flush(st.handle);
    },
    [self](atom::close) { close_connection(self, "init refused"); },
  };
}

}  // namespace hat
