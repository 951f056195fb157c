#pragma once

/// The Eventer listener: a connection_listener whose connections are
/// eventer_connection brokers (the connection id is the client's event
/// source id), sharing one partial-frame budget.

#include "actors/connection_listener.hpp"
#include "actors/eventer_connection.hpp"

namespace hat {

/// Accepts on `socket` (see connection_listener). Handles (atom::get,
/// atom::port) -> uint16_t besides accepting.
caf::behavior eventer_listener(connection_listener_pointer self,
                               listen_socket socket, eventer_settings settings,
                               notify_fanout_actor fanout,
                               event_store_actor storage);

}  // namespace hat
