#include "actors/metrics_connection.hpp"

#include "actors/atoms.hpp"
#include "actors/connection_socket.hpp"
#include "log/logger.hpp"
#include "protocol/metrics_text.hpp"

namespace hat {

namespace {

constexpr std::string_view log_component = "metrics";

/// A request head fits in one read (http::default_max_head).
constexpr size_t read_chunk = 8 * 1024;

/// Closes at once, the socket reset.
void close_now(metrics_connection_pointer self) {
  auto& st = self->state;
  if (st.closed)
    return;
  st.closed = true;
  close_socket(self, st.handle, true);
  self->quit();
}

/// Closes once the answer went out (or, reset, at the deadline).
void close_when_drained(metrics_connection_pointer self) {
  auto& st = self->state;
  if (st.closed)
    return;
  switch (drain_of(self, st.handle, st.last_flush, *st.close_deadline)) {
    case output_drain::drained:
      st.closed = true;
      close_socket(self, st.handle, false);
      return self->quit();
    case output_drain::overdue:
      return close_now(self);
    case output_drain::waiting:
      // Anonymous: a delayed message with the broker as sender would keep
      // it allocated once it ended (CAF 0.17).
      caf::delayed_anon_send(caf::actor_cast<caf::actor>(self), drain_settle,
                             atom::flush::value);
      return;
  }
}

http::response answer_to(const http::request& req,
                         const server_metrics& metrics) {
  switch (http::route_of(req)) {
    case http::route::metrics:
      return {200, "text/plain; version=0.0.4; charset=utf-8",
              render_prometheus(metrics.snapshot())};
    case http::route::health: {
      auto current = metrics.current_status();
      return {healthy(current) ? 200 : 503, "application/json",
              render_health(current)};
    }
    case http::route::method_not_allowed:
      return {405, "text/plain; charset=utf-8",
              "only GET and HEAD are served\n"};
    case http::route::not_found:
      break;
  }
  return {404, "text/plain; charset=utf-8",
          "not found: /metrics and /health are served\n"};
}

void answer(metrics_connection_pointer self, http::read_state state) {
  auto& st = self->state;
  bool head_only = false;
  http::response res;
  if (state == http::read_state::complete) {
    head_only = st.reader.result().method == "HEAD";
    res = answer_to(st.reader.result(), *st.settings.metrics);
  } else {
    res = http::error_response(state);
    HAT_LOG_WARNING(log_component, "connection ", st.conn_id, ": answered ",
                    res.code, ": ", res.body.substr(0, res.body.size() - 1));
  }
  // One answer, then close. What else the client sends is still read and
  // dropped: a socket closed with unread input is reset, which could
  // destroy the answer before the client read it.
  auto text = http::render(res, head_only);
  auto& out = self->wr_buf(st.handle);
  out.insert(out.end(), text.begin(), text.end());
  self->flush(st.handle);
  auto now = std::chrono::steady_clock::now();
  st.last_flush = now;
  st.close_deadline = now + st.settings.answer_timeout;
  close_when_drained(self);
}

}  // namespace

caf::behavior metrics_connection(metrics_connection_pointer self,
                                 caf::io::connection_handle handle,
                                 int64_t conn_id, metrics_settings settings) {
  auto& st = self->state;
  st.handle = handle;
  st.conn_id = conn_id;
  st.settings = std::move(settings);
  st.request_deadline = std::chrono::steady_clock::now()
                        + st.settings.request_timeout;
  self->configure_read(handle, caf::io::receive_policy::at_most(read_chunk));
  // Told to exit (the server stops): closed at once.
  self->set_exit_handler([self](caf::exit_msg&) { close_now(self); });
  return {
    [self](caf::io::new_data_msg& msg) {
      auto& st = self->state;
      if (st.closed || st.close_deadline)
        return;
      auto state = st.reader.feed(msg.buf);
      if (state != http::read_state::incomplete)
        answer(self, state);
    },
    [self](caf::io::connection_closed_msg&) {
      auto& st = self->state;
      st.closed = true;
      self->quit();
    },
    [self](atom::tick) {
      auto& st = self->state;
      if (st.closed || st.close_deadline
          || std::chrono::steady_clock::now() < st.request_deadline)
        return;
      HAT_LOG_WARNING(log_component, "connection ", st.conn_id,
                      " closed: no request within ",
                      st.settings.request_timeout.count(), " ms");
      close_now(self);
    },
    [self](atom::flush) {
      if (self->state.close_deadline)
        close_when_drained(self);
    },
  };
}

}  // namespace hat
