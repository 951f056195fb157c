#include "actors/adminer_connection.hpp"

#include "actors/connection_socket.hpp"
#include "log/logger.hpp"

namespace hat {

namespace {

constexpr std::string_view log_component = "adminer";

/// Requests are small: the default read size of CAF's scribes serves.
constexpr size_t read_chunk = 8 * 1024;
/// How long the answers before a protocol breach get to go out.
constexpr auto breach_grace = std::chrono::seconds{1};

std::string describe(adminer_connection_pointer self) {
  return "connection " + std::to_string(self->state.conn_id);
}

/// Closes this connection at once, its socket reset; the listener and
/// other clients go on. A client crossing a bound or gone silent is a
/// WARNING, a failure of ours an ERROR.
void close_connection(adminer_connection_pointer self, const std::string& why,
                      log::level severity = log::level::error) {
  auto& st = self->state;
  if (st.closing)
    return;
  st.closing = true;
  log::line(severity, log_component, describe(self), " closed: ", why);
  close_socket(self, st.handle, true);
  self->quit();
}

/// Closes once the answers written went out (or at the deadline), as the
/// reference's close lets its buffered answers go first.
void close_when_drained(adminer_connection_pointer self) {
  auto& st = self->state;
  switch (drain_of(self, st.handle, st.last_flush, *st.close_deadline)) {
    case output_drain::drained:
      close_socket(self, st.handle, false);
      return self->quit();
    case output_drain::overdue:
      close_socket(self, st.handle, true);
      return self->quit();
    case output_drain::waiting:
      // Anonymous: a delayed message with the broker as sender would keep
      // it allocated once it ended (CAF 0.17).
      caf::delayed_anon_send(caf::actor_cast<caf::actor>(self), drain_settle,
                             atom::flush::value);
      return;
  }
}

/// Ends the connection for a message that is no request (an ERROR, as the
/// reference's "on connection error"), after the answers to the requests
/// before it.
void close_for_breach(adminer_connection_pointer self, const std::string& why) {
  auto& st = self->state;
  st.closing = true;
  HAT_LOG_ERROR(log_component, describe(self), " closed: ", why);
  st.close_deadline = std::chrono::steady_clock::now() + breach_grace;
  close_when_drained(self);
}

/// Flushes what was written; false when the client does not read and the
/// connection was closed for it.
bool flush_checked(adminer_connection_pointer self) {
  auto& st = self->state;
  self->flush(st.handle);
  st.last_flush = std::chrono::steady_clock::now();
  auto queued = self->wr_buf(st.handle).size();
  if (queued <= st.settings.max_send_queue)
    return true;
  close_connection(self,
                   "client does not read: " + std::to_string(queued)
                     + " bytes waiting to be sent",
                   log::level::warning);
  return false;
}

void work_off_requests(adminer_connection_pointer self);

/// Writes the answer to a request, then goes on with the next one.
void answer(adminer_connection_pointer self, chatter::conversation conv,
            const adminer::message& msg) {
  auto& st = self->state;
  if (st.closing)
    return;
  st.busy = false;
  st.session->answer(self->wr_buf(st.handle), conv, msg);
  if (flush_checked(self))
    work_off_requests(self);
}

void keeper_failed(adminer_connection_pointer self, const caf::error& err) {
  close_connection(self, "log configuration keeper unavailable: "
                           + self->system().render(err));
}

void dispatch(adminer_connection_pointer self, adminer::request request) {
  auto& st = self->state;
  st.busy = true;
  auto conv = request.conv;
  if (std::holds_alternative<adminer::msg_get_log_conf_req>(request.msg)) {
    self
      ->request(st.log_config, caf::infinite, atom::get::value,
                atom::log_conf::value)
      .then(
        [self, conv](bool ok, std::string& text) {
          answer(self, conv,
                 ok ? adminer::msg_get_log_conf_res{std::nullopt,
                                                    std::move(text)}
                    : adminer::msg_get_log_conf_res{std::move(text), {}});
        },
        [self](caf::error& err) { keeper_failed(self, err); });
    return;
  }
  auto& set = std::get<adminer::msg_set_log_conf_req>(request.msg);
  self
    ->request(st.log_config, caf::infinite, atom::set::value,
              atom::log_conf::value, std::move(set.conf))
    .then(
      [self, conv](bool ok, std::string& error) {
        answer(self, conv,
               adminer::msg_set_log_conf_res{
                 ok ? std::nullopt
                    : std::optional<std::string>{std::move(error)}});
      },
      [self](caf::error& err) { keeper_failed(self, err); });
}

/// Hands the next request to the keeper unless one is there already;
/// with none left, ends the connection for a fault or reads again.
void work_off_requests(adminer_connection_pointer self) {
  auto& st = self->state;
  if (st.closing || st.busy)
    return;
  if (auto request = st.session->next_request())
    return dispatch(self, std::move(*request));
  if (st.session->fault())
    return close_for_breach(self, *st.session->fault());
  st.reading.resume(self);
}

}  // namespace

caf::behavior adminer_connection(adminer_connection_pointer self,
                                 caf::io::connection_handle handle,
                                 int64_t conn_id, adminer_settings settings,
                                 log_config_actor log_config) {
  auto& st = self->state;
  st.handle = handle;
  st.conn_id = conn_id;
  st.session.emplace(settings.chatter);
  st.partial_frames.attach(settings.partial_frames);
  st.settings = std::move(settings);
  st.log_config = std::move(log_config);
  self->configure_read(handle, caf::io::receive_policy::at_most(read_chunk));
  // Told to exit (the server stops): the connection ends at once, a
  // request with the keeper unanswered, as the reference's do.
  self->set_exit_handler([self](caf::exit_msg&) {
    auto& st = self->state;
    if (st.closing)
      return;
    st.closing = true;
    close_socket(self, st.handle, true);
    self->quit();
  });
  return {
    [self](caf::io::new_data_msg& msg) {
      auto& st = self->state;
      if (st.closing)
        return;
      st.session->receive(msg.buf, chatter::clock::now(),
                          self->wr_buf(st.handle));
      if (st.partial_frames.update(
            st.session->chatter().partial_frame_bytes())) {
        auto* budget = st.partial_frames.budget();
        return close_connection(
          self, "partial frames of all adminer connections hold "
                  + std::to_string(budget->used)
                  + " bytes, over eventer_server.max_partial_frame_memory ("
                  + std::to_string(budget->limit) + ")",
          log::level::warning);
      }
      if (!flush_checked(self))
        return;
      // Requests are answered one at a time: read no more until those
      // received are (a fault waits for them too).
      if (st.busy || st.session->queued() > 0 || st.session->fault())
        st.reading.halt(self, st.handle);
      work_off_requests(self);
    },
    [self](caf::io::connection_closed_msg&) {
      auto& st = self->state;
      if (st.closing)
        return;
      st.closing = true;
      HAT_LOG_INFO(log_component, describe(self), " closed by the client");
      self->quit();
    },
    [self](atom::read_on) {
      auto& st = self->state;
      if (!st.closing)
        st.reading.on_read_on(self, st.handle);
    },
    [self](atom::tick) {
      auto& st = self->state;
      // Not reading: the client's pong may wait behind its own requests.
      if (st.closing || st.reading.halted())
        return;
      auto action = st.session->chatter().check_keepalive(
        chatter::clock::now(), self->wr_buf(st.handle));
      if (action == chatter::keepalive_action::timed_out)
        return close_connection(self, "no answer to ping",
                                log::level::warning);
      if (action == chatter::keepalive_action::ping_sent)
        flush_checked(self);
    },
    [self](atom::flush) {
      if (self->state.close_deadline)
        close_when_drained(self);
    },
  };
}

}  // namespace hat
