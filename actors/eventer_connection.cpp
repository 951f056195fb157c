#include "actors/eventer_connection.hpp"

#include "actors/connection_socket.hpp"
#include "actors/server_error.hpp"
#include "log/logger.hpp"
#include "protocol/event_type.hpp"
#include "protocol/register_intake.hpp"

namespace hat {

namespace {

using phase = eventer_connection_state::phase;
using eventer::dialect;

constexpr size_t max_early_messages = 1024;
/// CAF sizes a scribe's read buffer to the most one read may return, for
/// the life of the connection. A connection starts with a small buffer, so
/// that thousands of idle or short-lived clients cost little (with 64 KiB
/// each, 10,000 connections accepted in a burst held 600 MB), and gets the
/// large one at the first read that fills the small one: a client sending
/// batches is read in large chunks.
constexpr size_t small_read_chunk = 2 * 1024;
constexpr size_t large_read_chunk = 64 * 1024;

std::string describe(eventer_connection_pointer self) {
  auto& st = self->state;
  std::string who = "connection " + std::to_string(st.conn_id);
  if (!st.client_name.empty())
    who += " (" + st.client_name + ")";
  return who;
}

void close_connection(eventer_connection_pointer self,
                      const std::string& why);

/// A warning about one of this client's requests: at most a burst per
/// interval per connection (log/throttle.hpp), so that a client sending
/// invalid requests as fast as it can does not flood the log.
template <class... Parts>
void warn_request(eventer_connection_pointer self, const Parts&... parts) {
  auto held = self->state.request_warnings.allow(
    std::chrono::steady_clock::now());
  if (!held)
    return;
  if (*held == 0)
    return HAT_LOG_WARNING("eventer", describe(self), parts...);
  HAT_LOG_WARNING("eventer", describe(self), parts..., " (", *held,
                  " such warnings about this client held back)");
}

/// Flushes what was written, then `payload` if any (direct_output.hpp); a
/// client whose unsent data passed the bound is dropped (whatever was
/// written: answers, pongs, notifications). False when the connection was
/// closed.
bool flush_checked(eventer_connection_pointer self,
                   std::span<const char> payload = {}) {
  auto& st = self->state;
  st.output.flush(self, st.handle, payload);
  // Only the stop path asks when output was last flushed (its exit handler
  // records the first): no clock read per send otherwise.
  if (st.stop_deadline)
    st.last_flush = std::chrono::steady_clock::now();
  auto queued = self->wr_buf(st.handle).size();
  st.counted.queued(queued);
  if (queued <= st.settings.max_send_queue)
    return true;
  st.counted.dropped(dropped_bound::max_send_queue);
  close_connection(self, "client does not read: " + std::to_string(queued)
                           + " bytes waiting to be sent");
  return false;
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
  flush_checked(self);
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

/// Undoes whatever init did, at any point of it: leaves the fan-out if a
/// join was sent (the leave follows the join from the same sender, so it
/// cannot overtake it), registers DISCONNECTED if CONNECTED was sent (or
/// the client was initialised while operational), and stops.
/// Records what DISCONNECTED this client is owed now, if any: once
/// CONNECTED was sent, or once it was initialised with an engine running;
/// to the latest engine known.
void owe_disconnected(eventer_connection_pointer self) {
  auto& st = self->state;
  auto engine = st.engine ? st.engine : st.connected_engine;
  if (engine && (st.connected_engine || st.current == phase::ready))
    st.disconnected.owe(engine, source_of(self),
                        eventer_status_event(self, "DISCONNECTED"));
}

void finish(eventer_connection_pointer self) {
  auto& st = self->state;
  owe_disconnected(self);
  st.current = phase::closing;
  if (auto held = st.request_warnings.take_held_back())
    HAT_LOG_WARNING("eventer", describe(self), ": ", held,
                    " more warnings about its requests were held back");
  if (st.joined)
    self->send(st.fanout, atom::leave::value, st.conn_id);
  st.disconnected.register_now();
  st.waiting.clear();
  st.early.clear();
  st.held_queries.clear();
  self->quit();
}

/// Closes this connection only; the server and other clients go on.
void close_connection(eventer_connection_pointer self,
                      const std::string& why) {
  if (self->state.current == phase::closing)
    return;
  HAT_LOG_WARNING("eventer", describe(self), " closed: ", why);
  close_socket(self, self->state.handle, true);
  finish(self);
}

void dispatch(eventer_connection_pointer self, std::string_view type,
              std::span<const char> data, chatter::conversation conv,
              bool last);
void register_done(eventer_connection_pointer self);

/// A request (register, query) or acknowledgement of a ready connection:
/// worked on now, or queued while `max_requests_in_flight` are.
void accept_message(eventer_connection_pointer self, std::string_view type,
                    std::span<const char> data, chatter::conversation conv,
                    bool last) {
  auto& st = self->state;
  if (st.waiting.empty()
      && st.requests_in_flight < st.settings.max_requests_in_flight) {
    dispatch(self, type, data, conv, last);
    return;
  }
  st.waiting.push_back(
    {std::string{type}, {data.begin(), data.end()}, conv, last});
}

/// One request answered: the next waiting ones are worked on, and reading
/// resumes once none wait.
void request_done(eventer_connection_pointer self) {
  auto& st = self->state;
  if (st.requests_in_flight > 0)
    --st.requests_in_flight;
  while (st.current == phase::ready && !st.waiting.empty()
         && st.requests_in_flight < st.settings.max_requests_in_flight) {
    auto msg = std::move(st.waiting.front());
    st.waiting.pop_front();
    dispatch(self, msg.type, msg.data, msg.conv, msg.last);
  }
  if (st.current == phase::ready && st.waiting.empty() && !st.stop_deadline)
    st.reading.resume(self);
}

void become_ready(eventer_connection_pointer self, status current,
                  engine_actor engine) {
  auto& st = self->state;
  st.status = current;
  st.engine = std::move(engine);
  st.current = phase::ready;
  owe_disconnected(self);
  send_msg(self, eventer::msg_init_res{std::nullopt, current},
           st.init_conversation, true);
  if (st.current != phase::ready)
    return;
  HAT_LOG_INFO("eventer", describe(self), " initialised");
  auto early = std::move(st.early);
  for (auto& msg : early) {
    if (st.current != phase::ready)
      break;
    accept_message(self, msg.type, msg.data, msg.conv, msg.last);
  }
  if (st.current != phase::ready)
    return;
  if (!st.waiting.empty())
    st.reading.halt(self, st.handle);
  else if (!st.stop_deadline)
    // Halted while the init was worked on.
    st.reading.resume(self);
}

void join_fanout(eventer_connection_pointer self) {
  auto& st = self->state;
  st.joined = true;
  self
    ->request(st.fanout, caf::infinite, atom::join::value,
              caf::actor{self}, st.conn_id, st.client_name, st.filter)
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

/// The engine answers before the store has seen the CONNECTED session:
/// join only once that session's notification went out, so the client is
/// never told of its own arrival.
void join_after_notification(eventer_connection_pointer self) {
  self->request(self->state.storage, caf::infinite, atom::notified::value)
    .then([self](atom::ok) { join_fanout(self); },
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
  st.filter = notify_filter{subscription{req.subscriptions}, req.server_id,
                            req.persisted};
  // CONNECTED is registered before joining the fan-out, so the client is
  // not told of its own arrival (as with the reference).
  self->request(st.fanout, caf::infinite, atom::get::value, atom::status::value)
    .then(
      [self](status, engine_actor engine) {
        auto& st = self->state;
        if (st.current != phase::initializing)
          return;
        if (!engine)
          return join_fanout(self);
        // From here on, closing registers DISCONNECTED (finish).
        st.connected_engine = engine;
        owe_disconnected(self);
        self
          ->request(engine, caf::infinite, atom::register_::value,
                    source_of(self),
                    std::vector<register_event>{
                      eventer_status_event(self, "CONNECTED")})
          .then([self](const storage::event_batch&) {
                  join_after_notification(self);
                },
                [self](caf::error& err) {
                  log_dropped("eventer",
                              "registering CONNECTED of " + describe(self),
                              err);
                  join_fanout(self);
                });
      },
      [self](caf::error& err) {
        close_connection(self, "notification fan-out unavailable: "
                                 + self->system().render(err));
      });
}

/// The session's notification reaches this connection before its answer:
/// the engine hands the session to the store before answering, and the
/// store's atom::notified is answered only after what it had went out.
template <class Then>
void after_notification(eventer_connection_pointer self, Then then) {
  self->request(self->state.storage, caf::infinite, atom::notified::value)
    .then([then](atom::ok) mutable { then(); },
          [then](caf::error&) mutable { then(); });
}

/// Whether this connection is notified of any of `session`'s events when
/// they are registered.
bool notified_of(eventer_connection_pointer self,
                 const storage::event_batch& session) {
  auto& filter = self->state.filter;
  if (!self->state.joined || filter.persisted || !session)
    return false;
  for (auto& e : *session)
    if ((!filter.server_id || e.id.server == *filter.server_id)
        && filter.types.matches(e.type))
      return true;
  return false;
}

void handle_register(eventer_connection_pointer self,
                     eventer::register_intake& intake,
                     chatter::conversation conv, bool last) {
  auto& st = self->state;
  // Refused as a whole, the connection kept: nothing of it is stored.
  if (intake.refusal) {
    warn_request(self, ": ", *intake.refusal);
    if (!last)
      send_msg(self, eventer::msg_register_res{}, conv, true);
    return;
  }
  if (!st.engine) {
    if (!last)
      send_msg(self, eventer::msg_register_res{}, conv, true);
    return;
  }
  auto requested = intake.events.size();
  ++st.registers_in_flight;
  ++st.requests_in_flight;
  self
    ->request(st.engine, caf::infinite, atom::register_::value,
              source_of(self), std::move(intake.events))
    .then(
      [self, conv, last, requested](const storage::event_batch& session) {
        if (self->state.current != phase::ready)
          return;
        auto answer = [self, conv, last, requested, session] {
          if (self->state.current != phase::ready)
            return;
          // The session's first events are the caller's; modules'
          // additions follow and are not the caller's business.
          if (!last)
            send_as<eventer::msg_register_res>(
              self,
              eventer::msg_register_res_view{std::span<const event>{
                session->data(), std::min(requested, session->size())}},
              conv, true);
          register_done(self);
          request_done(self);
        };
        if (!last && notified_of(self, session))
          after_notification(self, answer);
        else
          answer();
      },
      [self, conv, last](caf::error& err) {
        if (self->state.current != phase::ready)
          return;
        log_dropped("eventer", "register of " + describe(self), err);
        if (!last)
          send_msg(self, eventer::msg_register_res{}, conv, true);
        register_done(self);
        request_done(self);
      });
}

/// The store encodes the answer (protocol/query_answer.hpp): the network
/// thread only writes its bytes, shared, after this connection's head.
void send_query(eventer_connection_pointer self, query_params params,
                chatter::conversation conv) {
  auto& st = self->state;
  answer_format format{st.settings.dialect,
                       st.settings.chatter.max_frame_size};
  self
    ->request(st.storage, caf::infinite, atom::query::value,
              std::move(params), format)
    .then(
      [self, conv](const encoded_answer& answer) {
        auto& st = self->state;
        if (st.current != phase::ready)
          return;
        if (answer.events_sent < answer.events_found)
          warn_request(self, ": query answer of ", answer.events_found,
                       " events exceeds max_frame_size (",
                       st.settings.chatter.max_frame_size,
                       " bytes): sending ", answer.events_sent,
                       " with moreFollows set");
        st.chatter->send_head(self->wr_buf(st.handle),
                              eventer::type_name_of<eventer::msg_query_res>(),
                              answer.payload->size(), conv, true);
        flush_checked(self, std::span<const char>{*answer.payload});
        request_done(self);
      },
      [self](caf::error& err) {
        close_connection(self,
                         "query failed: " + self->system().render(err));
      });
}

void handle_query(eventer_connection_pointer self, eventer::msg_query_req& req,
                  chatter::conversation conv) {
  auto& st = self->state;
  ++st.requests_in_flight;
  if (st.registers_in_flight > 0)
    st.held_queries.push_back({std::move(req.params), conv});
  else
    send_query(self, std::move(req.params), conv);
}

void register_done(eventer_connection_pointer self) {
  auto& st = self->state;
  if (--st.registers_in_flight > 0 || st.current != phase::ready)
    return;
  auto held = std::move(st.held_queries);
  for (auto& query : held)
    send_query(self, std::move(query.params), query.conv);
}

void close_undecodable(eventer_connection_pointer self,
                       std::string_view type, const decode_error& error) {
  close_connection(self, "cannot decode " + std::string{type} + ": "
                           + error.to_string());
}

void take_register(eventer_connection_pointer self,
                   std::span<const char> data, chatter::conversation conv,
                   bool last) {
  auto& st = self->state;
  auto intake = eventer::take_register_request(
    data, st.settings.dialect, st.settings.chatter.max_frame_size);
  if (!intake)
    return close_undecodable(
      self, eventer::type_name_of<eventer::msg_register_req>(),
      intake.error());
  handle_register(self, *intake, conv, last);
}

void dispatch(eventer_connection_pointer self, std::string_view type,
              std::span<const char> data, chatter::conversation conv,
              bool last) {
  auto& st = self->state;
  if (type == eventer::type_name_of<eventer::msg_register_req>())
    return take_register(self, data, conv, last);
  auto decoded = eventer::decode_message(type, data, st.settings.dialect);
  if (!decoded)
    return close_undecodable(self, type, decoded.error());
  auto& msg = *decoded;
  if (auto query = std::get_if<eventer::msg_query_req>(&msg)) {
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
      accept_message(self, msg.type, msg.data, msg.conv, msg.last);
      return st.current == phase::ready;
    case phase::closing:
      return false;
  }
  return false;
}

/// The server stops: the client gets what is queued for it while it reads,
/// up to `stop_grace`; then (or at once when nothing is queued) the socket
/// is closed, reset if output is still pending.
void close_when_drained(eventer_connection_pointer self) {
  auto& st = self->state;
  if (st.current == phase::closing)
    return;
  switch (drain_of(self, st.handle, st.last_flush, *st.stop_deadline)) {
    case output_drain::drained:
      close_socket(self, st.handle, false);
      finish(self);
      return;
    case output_drain::overdue:
      return close_connection(self, "server stopping, client does not read");
    case output_drain::waiting:
      // Anonymous, as the refusal timer (refuse_init).
      caf::delayed_anon_send(caf::actor_cast<caf::actor>(self), drain_settle,
                             atom::flush::value);
      return;
  }
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
  st.counted.attach(settings.metrics);
  st.settings = std::move(settings);
  st.fanout = std::move(fanout);
  st.storage = std::move(storage);
  self->configure_read(handle,
                       caf::io::receive_policy::at_most(small_read_chunk));
  st.output.attach(self, handle);
  // Told to exit (the server stops): stop reading, give the client a
  // bounded time to take what is queued for it, then close.
  self->set_exit_handler([self](caf::exit_msg&) {
    auto& st = self->state;
    if (st.current == phase::closing || st.stop_deadline)
      return;
    st.stop_deadline = chatter::clock::now() + st.settings.stop_grace;
    st.reading.halt(self, st.handle);
    if (self->valid(st.handle)) {
      st.output.flush(self, st.handle);
      st.last_flush = std::chrono::steady_clock::now();
    }
    close_when_drained(self);
  });
  return {
    [self](caf::io::new_data_msg& msg) {
      auto& st = self->state;
      if (st.current == phase::closing)
        return;
      if (!st.large_reads && msg.buf.size() >= small_read_chunk) {
        st.large_reads = true;
        self->configure_read(
          st.handle, caf::io::receive_policy::at_most(large_read_chunk));
      }
      auto error = st.chatter->receive(
        msg.buf, chatter::clock::now(), self->wr_buf(st.handle),
        [self](const chatter::received_msg& m) { return on_message(self, m); });
      if (st.current == phase::closing)
        return;
      if (st.partial_frames.update(st.chatter->partial_frame_bytes())) {
        auto* budget = st.partial_frames.budget();
        st.counted.dropped(dropped_bound::max_partial_frame_memory);
        return close_connection(
          self, "partial frames of all connections hold "
                  + std::to_string(budget->used)
                  + " bytes, over eventer_server.max_partial_frame_memory ("
                  + std::to_string(budget->limit) + ")");
      }
      if (error)
        return close_connection(self, "malformed chatter data: "
                                        + error->to_string());
      if (!flush_checked(self))
        return;
      // Requests wait for answers to go out, and everything waits for the
      // init answer: read no more until then (what came with the init
      // request waits in `early`, at most one read's worth).
      if (!st.waiting.empty() || st.current == phase::initializing)
        st.reading.halt(self, st.handle);
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
      // The payload is shared by every subscriber: not copied unless
      // the socket does not take it at once.
      st.chatter->send_head(self->wr_buf(st.handle),
                            eventer::type_name_of<eventer::msg_events_notify>(),
                            payload->size(), std::nullopt, true);
      flush_checked(self, std::span<const char>{*payload});
    },
    [self](caf::io::data_transferred_msg& msg) {
      self->state.output.transferred(msg.remaining);
    },
    [self](atom::status, status current, engine_actor& engine) {
      auto& st = self->state;
      st.engine = std::move(engine);
      owe_disconnected(self);
      if (st.current == phase::ready
          && !same_on_wire(st.status, current, st.settings.dialect))
        send_msg(self, eventer::msg_status_notify{current}, std::nullopt,
                 true);
      st.status = current;
    },
    [self](atom::tick) {
      auto& st = self->state;
      // Not reading: the client's pong may sit unread behind requests the
      // server is slow to answer; that is no sign of a dead client.
      if (st.current == phase::closing || st.reading.halted())
        return;
      // What CAF sent since the last write leaves the gauge here (CAF
      // 0.17 tells a broker of sent bytes only at the cost of a message
      // per write).
      st.counted.queued(self->wr_buf(st.handle).size());
      auto now = chatter::clock::now();
      if (now < st.chatter->next_keepalive_check())
        return;
      auto action = st.chatter->check_keepalive(now, self->wr_buf(st.handle));
      if (action == chatter::keepalive_action::timed_out) {
        st.counted.dropped(dropped_bound::ping_timeout);
        return close_connection(self, "no answer to ping");
      }
      if (action == chatter::keepalive_action::ping_sent
          && !flush_checked(self))
        return;
    },
    [self](atom::read_on) {
      auto& st = self->state;
      if (st.current != phase::closing)
        st.reading.on_read_on(self, st.handle);
    },
    [self](atom::close) { close_connection(self, "init refused"); },
    [self](atom::flush) { close_when_drained(self); },
  };
}

}  // namespace hat

