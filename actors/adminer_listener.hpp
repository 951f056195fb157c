#pragma once

/// The adminer listener: a connection_listener whose connections are
/// adminer_connection brokers, with the Eventer's connection limits, and
/// the log configuration keeper they share (linked: it ends with the
/// listener). It runs in every server status: the adminer does not depend
/// on the engine.

#include <boost/json/value.hpp>

#include "actors/adminer_connection.hpp"
#include "actors/connection_listener.hpp"

namespace hat {

/// Accepts on `socket` (see connection_listener); `log_conf` is the
/// configuration file's `log` (null when absent). Handles (atom::get,
/// atom::port) -> uint16_t besides accepting.
caf::behavior adminer_listener(connection_listener_pointer self,
                               listen_socket socket, adminer_settings settings,
                               boost::json::value log_conf);

}  // namespace hat
