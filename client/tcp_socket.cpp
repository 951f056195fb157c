#include "client/tcp_socket.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <memory>
#include <system_error>

#include "client/eventer_client.hpp"

namespace hat::client::tcp {
namespace {

using chatter::clock;

/// Milliseconds for poll() until `deadline`, rounded up so a wait never
/// ends before it; -1 waits forever.
int poll_timeout_ms(clock::time_point deadline) {
  if (deadline == clock::time_point::max())
    return -1;
  auto left = deadline - clock::now();
  if (left <= clock::duration::zero())
    return 0;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return static_cast<int>(std::min<int64_t>(ms, INT_MAX));
}

int wait_fd(int fd, short events, clock::time_point deadline) {
  for (;;) {
    pollfd entry{fd, events, 0};
    int ready = ::poll(&entry, 1, poll_timeout_ms(deadline));
    if (ready >= 0 || errno != EINTR)
      return ready;
  }
}

/// The outcome of a non-blocking connect: 0 or an errno.
int finish_connect(int fd, clock::time_point deadline) {
  int ready = wait_fd(fd, POLLOUT, deadline);
  if (ready == 0)
    return ETIMEDOUT;
  if (ready < 0)
    return errno;
  int error = 0;
  socklen_t size = sizeof error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0)
    return errno;
  return error;
}

/// Back to blocking mode, without Nagle delays for small requests.
int make_blocking_nodelay(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  int one = 1;
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0
      || ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
    return errno;
  return 0;
}

/// A connected socket, or -1 with `error` set. Connects without blocking
/// so the deadline bounds an unanswered SYN too.
int connect_address(const addrinfo& address, clock::time_point deadline,
                    int& error) {
  int fd = ::socket(address.ai_family,
                    address.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    address.ai_protocol);
  if (fd < 0) {
    error = errno;
    return -1;
  }
  error = 0;
  if (::connect(fd, address.ai_addr, address.ai_addrlen) != 0)
    error = errno == EINPROGRESS ? finish_connect(fd, deadline) : errno;
  if (error == 0)
    error = make_blocking_nodelay(fd);
  if (error == 0)
    return fd;
  ::close(fd);
  return -1;
}

}  // namespace

std::string error_text(int error) {
  return std::system_category().message(error);
}

int connect(const std::string& host, uint16_t port,
            clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  auto service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0)
    throw client_error("cannot resolve " + host + ": " + gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard{
    found, &::freeaddrinfo};
  int error = EADDRNOTAVAIL;
  for (auto* address = found; address; address = address->ai_next) {
    int fd = connect_address(*address, deadline, error);
    if (fd >= 0)
      return fd;
  }
  throw client_error("cannot connect to " + host + ":" + service + ": "
                     + error_text(error));
}

int wait_readable(int fd, clock::time_point deadline) {
  return wait_fd(fd, POLLIN, deadline);
}

int write_all(int fd, std::span<const char> bytes) {
  while (!bytes.empty()) {
    auto written = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (written < 0 && errno == EINTR)
      continue;
    if (written < 0)
      return errno;
    bytes = bytes.subspan(static_cast<size_t>(written));
  }
  return 0;
}

}  // namespace hat::client::tcp
