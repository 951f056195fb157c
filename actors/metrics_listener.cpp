#include "actors/metrics_listener.hpp"

namespace hat {

caf::behavior metrics_listener(connection_listener_pointer self,
                               listen_socket socket,
                               metrics_settings settings) {
  listener_options options{
    .component = "metrics",
    .limit_key = "the metrics listener's fixed limit",
    .max_connections = metrics_max_connections,
    // The ticks that close clients which never send their request.
    .keepalive_interval = std::chrono::seconds{1},
    .fork = [settings = std::move(settings)](
              caf::io::broker* listener, caf::io::connection_handle handle,
              int64_t conn_id) {
      return listener->fork(metrics_connection, handle, conn_id, settings);
    },
    // Scrapers are not counted in the metrics they read.
    .metrics = nullptr,
  };
  return connection_listener(self, std::move(socket), std::move(options));
}

}  // namespace hat
