#include "actors/eventer_listener.hpp"

namespace hat {

caf::behavior eventer_listener(connection_listener_pointer self,
                               listen_socket socket, eventer_settings settings,
                               notify_fanout_actor fanout,
                               event_store_actor storage) {
  if (!settings.partial_frames)
    settings.partial_frames = std::make_shared<partial_frame_budget>(
      settings.max_partial_frame_memory);
  auto metrics = settings.metrics;
  listener_options options{
    .component = "eventer",
    .limit_key = "eventer_server.max_connections",
    .max_connections = settings.max_connections,
    .keepalive_interval = chatter::keepalive_check_interval(settings.chatter),
    .fork = [settings = std::move(settings), fanout = std::move(fanout),
             storage = std::move(storage)](
              caf::io::broker* listener, caf::io::connection_handle handle,
              int64_t conn_id) {
      return listener->fork(eventer_connection, handle, conn_id, settings,
                            fanout, storage);
    },
    .metrics = std::move(metrics),
  };
  return connection_listener(self, std::move(socket), std::move(options));
}

}  // namespace hat
