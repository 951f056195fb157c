#include "actors/connect_socket.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "actors/server_error.hpp"

namespace hat {

caf::expected<int> start_connect(const std::string& host, uint16_t port) {
  auto where = "cannot connect to " + host + ":" + std::to_string(port) + ": ";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  auto service = std::to_string(port);
  int resolved = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (resolved != 0) {
    std::string reason = resolved == EAI_SYSTEM ? std::strerror(errno)
                                                : ::gai_strerror(resolved);
    return make_error(ec::peer_unreachable, where, reason);
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses{
    found, &::freeaddrinfo};
  int fd = ::socket(found->ai_family,
                    found->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    found->ai_protocol);
  if (fd < 0)
    return make_error(ec::peer_unreachable, where, std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, found->ai_addr, found->ai_addrlen) != 0
      && errno != EINPROGRESS) {
    int error = errno;
    ::close(fd);
    return make_error(ec::peer_unreachable, where, std::strerror(error));
  }
  return fd;
}

}  // namespace hat
