#include "actors/eventer_listener.hpp"

#include "log/logger.hpp"

namespace hat {

caf::behavior
eventer_listener(caf::io::stateful_broker<eventer_listener_state>* self,
                 listen_socket socket, eventer_settings settings,
                 notify_fanout_actor fanout, event_store_actor storage) {
  auto& st = self->state;
  st.settings = std::move(settings);
  st.fanout = std::move(fanout);
  st.storage = std::move(storage);
  st.doorman = self->add_doorman(socket.fd);
  st.port = socket.port;
  HAT_LOG_INFO("eventer", "listening on ", socket.host, ":", st.port);
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
    self->close(st.doorman);
    if (st.connections.empty())
      return self->quit(msg.reason);
    for (auto& [addr, conn] : st.connections)
      self->send_exit(conn, msg.reason);
  });
  return {
    [self](caf::io::new_connection_msg& msg) {
      auto& st = self->state;
      auto conn = self->fork(eventer_connection, msg.handle,
                             st.next_conn_id++, st.settings, st.fanout,
                             st.storage);
      self->monitor(conn);
      st.connections.emplace(conn.address(), conn);
    },
    [self](atom::get, atom::port) { return self->state.port; },
  };
}

}  // namespace hat
