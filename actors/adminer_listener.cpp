#include "actors/adminer_listener.hpp"

#include "actors/log_config_keeper.hpp"

namespace hat {

caf::behavior adminer_listener(connection_listener_pointer self,
                               listen_socket socket, adminer_settings settings,
                               boost::json::value log_conf) {
  if (!settings.partial_frames)
    settings.partial_frames = std::make_shared<partial_frame_budget>(
      settings.max_partial_frame_memory);
  auto keeper = self->spawn<caf::linked>(log_config_keeper,
                                         std::move(log_conf));
  // The Eventer's limits, under the Eventer's key.
  listener_options options{
    .component = "adminer",
    .limit_key = "eventer_server.max_connections",
    .max_connections = settings.max_connections,
    .keepalive_interval = chatter::keepalive_check_interval(settings.chatter),
    .fork = [settings = std::move(settings), keeper = std::move(keeper)](
              caf::io::broker* listener, caf::io::connection_handle handle,
              int64_t conn_id) {
      return listener->fork(adminer_connection, handle, conn_id, settings,
                            keeper);
    },
    // The metrics count Eventer clients only.
    .metrics = nullptr,
  };
  return connection_listener(self, std::move(socket), std::move(options));
}

}  // namespace hat
