#pragma once

// Sockets on 127.0.0.1 at an ephemeral port, for tests: one that listens
// (the port is taken; accept from `fd`), and one bound but never listening
// (connecting is refused at once), each for as long as it lives.

#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

namespace hat::test {

class loopback_port {
public:
  explicit loopback_port(bool listening) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address)
            == 0);
    if (listening)
      REQUIRE(::listen(fd, 8) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length)
            == 0);
    port = ntohs(address.sin_port);
  }
  ~loopback_port() {
    ::close(fd);
  }
  loopback_port(const loopback_port&) = delete;
  loopback_port& operator=(const loopback_port&) = delete;

  int fd = -1;
  uint16_t port = 0;
};

/// Listening: the port is taken, connections wait to be accepted.
struct taken_port : loopback_port {
  taken_port() : loopback_port(true) {}
};

/// Bound, never listening: nothing accepts there while it lives.
struct closed_port : loopback_port {
  closed_port() : loopback_port(false) {}
};

}  // namespace hat::test
