#pragma once

/// The Eventer server's listening socket, opened by us rather than by CAF:
/// CAF's add_tcp_doorman reports a failure as "tcp socket creation failed"
/// and drops the OS's reason, which is what an operator needs to read
/// ("Address already in use", "Name or service not known", "Cannot assign
/// requested address"). The broker then adopts the socket (add_doorman).

#include <caf/expected.hpp>
#include <cstdint>
#include <string>

namespace hat {

/// A bound, listening TCP socket: non-blocking, close-on-exec.
struct listen_socket {
  int fd = -1;
  /// The port actually bound (the asked one may be 0).
  uint16_t port = 0;
  /// The host as configured, for log lines.
  std::string host;
};

/// Resolves `host` and listens on the first of its addresses that binds
/// (SO_REUSEADDR, as the reference's asyncio server). Fails with
/// ec::listen_failed naming host, port and the OS's reason in words.
caf::expected<listen_socket> open_listen_socket(const std::string& host,
                                                uint16_t port);

}  // namespace hat
