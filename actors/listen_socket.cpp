#include "actors/listen_socket.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "actors/server_error.hpp"

namespace hat {

namespace {

/// Binds and listens on one resolved address; the socket or -errno.
int listen_on(const addrinfo& address) {
  int fd = ::socket(address.ai_family,
                    address.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    address.ai_protocol);
  if (fd < 0)
    return -errno;
  int on = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0
      || ::bind(fd, address.ai_addr, address.ai_addrlen) != 0
      || ::listen(fd, SOMAXCONN) != 0) {
    int error = errno;
    ::close(fd);
    return -error;
  }
  return fd;
}

uint16_t bound_port(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    return 0;
  if (address.ss_family == AF_INET)
    return ntohs(reinterpret_cast<sockaddr_in&>(address).sin_port);
  if (address.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<sockaddr_in6&>(address).sin6_port);
  return 0;
}

}  // namespace

caf::expected<listen_socket> open_listen_socket(const std::string& host,
                                                uint16_t port) {
  auto where = "cannot listen on " + host + ":" + std::to_string(port) + ": ";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  auto service = std::to_string(port);
  int resolved = ::getaddrinfo(host.empty() ? nullptr : host.c_str(),
                               service.c_str(), &hints, &found);
  if (resolved != 0) {
    std::string reason = resolved == EAI_SYSTEM ? std::strerror(errno)
                                                : ::gai_strerror(resolved);
    return make_error(ec::listen_failed, where, reason);
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses{
    found, &::freeaddrinfo};
  // The first address's failure is the one reported: it is the address
  // the name stands for first.
  int first_error = 0;
  for (auto* address = found; address; address = address->ai_next) {
    int fd = listen_on(*address);
    if (fd >= 0)
      return listen_socket{fd, bound_port(fd), host};
    if (first_error == 0)
      first_error = -fd;
  }
  return make_error(ec::listen_failed, where,
                    first_error ? std::strerror(first_error)
                                : "no address to listen on");
}

}  // namespace hat
