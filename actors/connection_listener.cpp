#include "actors/connection_listener.hpp"

#include "actors/atoms.hpp"
#include "actors/server_error.hpp"
#include "log/logger.hpp"

namespace hat {

namespace {

/// While clients keep coming beyond max_connections, one line per interval.
constexpr auto refusal_log_interval = std::chrono::seconds{10};

void refuse_over_limit(connection_listener_pointer self,
                       accepted_socket& sock) {
  auto& st = self->state;
  // Closed at once: the client sees the end of the stream.
  sock = accepted_socket{};
  if (st.options.metrics)
    st.options.metrics->count_drop(dropped_bound::max_connections);
  ++st.refused_unreported;
  auto now = std::chrono::steady_clock::now();
  if (st.refused_unreported > 1
      && now - st.refused_reported < refusal_log_interval)
    return;
  HAT_LOG_WARNING(st.options.component,
                  render_error(make_error(
                    ec::connection_limit, st.refused_unreported,
                    " client(s) closed at once: ", st.connections.size(),
                    " connections are open, ", st.options.limit_key, " is ",
                    st.options.max_connections)));
  st.refused_unreported = 0;
  st.refused_reported = now;
}

/// The next keep-alive tick. Anonymous: in CAF 0.17 a message still in a
/// broker's mailbox when it ends is never freed, and with the broker as
/// its sender it keeps the broker allocated (LeakSanitizer saw it in 2 of
/// 10 runs of the server tests under load).
void tick_later(connection_listener_pointer self) {
  caf::delayed_anon_send(caf::actor_cast<caf::actor>(self),
                         self->state.options.keepalive_interval,
                         atom::tick::value);
}

}  // namespace

caf::behavior connection_listener(connection_listener_pointer self,
                                  listen_socket socket,
                                  listener_options options) {
  auto& st = self->state;
  st.options = std::move(options);
  auto host = socket.host;
  auto bound = tcp_acceptor::adopt(std::move(socket));
  if (!bound) {
    HAT_LOG_ERROR(st.options.component, render_error(bound.error()));
    self->quit(bound.error());
    return {};
  }
  st.acceptor = std::move(*bound);
  st.port = st.acceptor->port();
  HAT_LOG_INFO(st.options.component, "listening on ", host, ":", st.port);
  // A weak address: the acceptor thread must not keep the listener alive.
  st.acceptor->start([listener = self->address()](accepted_socket sock) {
    if (auto hdl = caf::actor_cast<caf::actor>(listener))
      caf::anon_send(hdl, std::move(sock));
  });
  if (st.options.keepalive_interval.count() > 0)
    tick_later(self);
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    st.connections.erase(msg.source);
    if (st.exit_reason && st.connections.empty())
      self->quit(*st.exit_reason);
  });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    if (st.exit_reason)
      return;
    st.exit_reason = msg.reason;
    st.acceptor->stop();
    if (st.connections.empty())
      return self->quit(msg.reason);
    for (auto& [addr, conn] : st.connections)
      self->send_exit(conn, msg.reason);
  });
  return {
    [self](accepted_socket& sock) {
      auto& st = self->state;
      if (st.exit_reason)
        return;
      if (st.connections.size() >= st.options.max_connections)
        return refuse_over_limit(self, sock);
      auto handle = self->add_scribe(sock.release());
      auto conn = st.options.fork(self, handle, st.next_conn_id++);
      self->monitor(conn);
      st.connections.emplace(conn.address(), conn);
    },
    [self](atom::get, atom::port) { return self->state.port; },
    [self](atom::tick) {
      auto& st = self->state;
      if (st.exit_reason)
        return;
      for (auto& [addr, conn] : st.connections)
        caf::anon_send(conn, atom::tick::value);
      tick_later(self);
    },
  };
}

}  // namespace hat
