#pragma once

/// An outgoing TCP connection started without blocking: the socket is
/// returned while the kernel still connects, and a broker adopts it
/// (add_scribe). A refused or unanswered connect then shows as the
/// connection closing, and the first write waits until it is up: so a
/// broker connecting to a peer that is down never holds a scheduler
/// thread. Name resolution itself is getaddrinfo's (numeric addresses and
/// /etc/hosts answer at once; a DNS name may take the resolver's time).

#include <caf/expected.hpp>
#include <cstdint>
#include <string>

namespace hat {

/// A non-blocking, close-on-exec socket connecting to the first address
/// of `host` (TCP_NODELAY). Fails with ec::peer_unreachable naming host,
/// port and the OS's reason in words.
caf::expected<int> start_connect(const std::string& host, uint16_t port);

}  // namespace hat
