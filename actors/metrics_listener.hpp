#pragma once

/// The metrics listener (metrics_server): a connection_listener whose
/// connections are metrics_connection brokers. It runs in every server
/// status, as the adminer: /health must answer in standby too. Its own
/// small limits, not the Eventer's: a scraper opens one connection at a
/// time.

#include "actors/connection_listener.hpp"
#include "actors/metrics_connection.hpp"

namespace hat {

/// Scrapers served at once; one more is accepted and closed.
inline constexpr size_t metrics_max_connections = 64;

/// Accepts on `socket` (see connection_listener). Handles (atom::get,
/// atom::port) -> uint16_t besides accepting.
caf::behavior metrics_listener(connection_listener_pointer self,
                               listen_socket socket,
                               metrics_settings settings);

}  // namespace hat
