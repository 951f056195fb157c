#include "actors/tcp_acceptor.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "actors/server_error.hpp"
#include "log/logger.hpp"

namespace hat {

namespace {

using steady = std::chrono::steady_clock;

constexpr int first_backoff_ms = 10;
constexpr int max_backoff_ms = 500;
/// While accept() keeps failing, one log line per this interval.
constexpr auto failure_log_interval = std::chrono::seconds{10};

std::string os_reason(int err) {
  return std::strerror(err);
}

/// accept() errors after which waiting may help: the process or the
/// system is out of descriptors or memory.
bool out_of_resources(int err) {
  return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

/// accept() errors that concern one pending connection only (Linux passes
/// network errors of the new socket on to accept()): try the next one.
bool connection_error(int err) {
  return err == EINTR || err == ECONNABORTED || err == EPROTO
         || err == ENETDOWN || err == ENOPROTOOPT || err == EHOSTDOWN
         || err == ENONET || err == EHOSTUNREACH || err == EOPNOTSUPP
         || err == ENETUNREACH || err == ETIMEDOUT || err == EPERM;
}

}  // namespace

accepted_socket::accepted_socket(int fd) : owner_(std::make_shared<owner>()) {
  owner_->fd = fd;
}

int accepted_socket::release() {
  if (!owner_)
    return -1;
  return std::exchange(owner_->fd, -1);
}

accepted_socket::owner::~owner() {
  if (fd >= 0)
    ::close(fd);
}

caf::expected<std::unique_ptr<tcp_acceptor>>
tcp_acceptor::adopt(listen_socket socket, std::string spare_file) {
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    auto reason = os_reason(errno);
    ::close(socket.fd);
    return make_error(ec::listen_failed, "cannot accept on ", socket.host,
                      ":", socket.port, ": ", reason);
  }
  std::unique_ptr<tcp_acceptor> acceptor{
    new tcp_acceptor(socket.fd, socket.port)};
  acceptor->wake_read_ = wake[0];
  acceptor->wake_write_ = wake[1];
  acceptor->spare_file_ = std::move(spare_file);
  return acceptor;
}

tcp_acceptor::tcp_acceptor(int listen_fd, uint16_t port)
  : listen_fd_(listen_fd), port_(port) {
}

tcp_acceptor::~tcp_acceptor() {
  stop();
  release_reserve();
  if (wake_read_ >= 0)
    ::close(wake_read_);
  if (wake_write_ >= 0)
    ::close(wake_write_);
}

void tcp_acceptor::start(std::function<void(accepted_socket)> deliver) {
  deliver_ = std::move(deliver);
  thread_ = std::thread{[this] { run(); }};
}

void tcp_acceptor::stop() {
  stopping_ = true;
  if (thread_.joinable()) {
    char byte = 0;
    while (::write(wake_write_, &byte, 1) < 0 && errno == EINTR) {
    }
    thread_.join();
  }
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
}

void tcp_acceptor::read_fd_limit() {
  rlimit limit{};
  fd_limit_ = ::getrlimit(RLIMIT_NOFILE, &limit) == 0
                  && limit.rlim_cur != RLIM_INFINITY
                ? static_cast<uint64_t>(limit.rlim_cur)
                : 0;
}

bool tcp_acceptor::near_limit(int fd) const {
  return fd_limit_ > 0 && static_cast<uint64_t>(fd) + 3 >= fd_limit_;
}

bool tcp_acceptor::hold_reserve() {
  for (auto& fd : reserve_) {
    if (fd >= 0)
      continue;
    fd = ::open(spare_file_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && near_limit(fd)) {
      // Taking it back would leave the rest of the server none.
      release_reserve();
      errno = EMFILE;
      return false;
    }
    if (fd >= 0)
      continue;
    // Only a lack of descriptors stops accepting; without /dev/null (a
    // bare chroot) the acceptor goes on without spares.
    if (errno == EMFILE || errno == ENFILE)
      return false;
    if (!reserve_unavailable_) {
      reserve_unavailable_ = true;
      HAT_LOG_WARNING("eventer", "no spare descriptors: cannot open ",
                      spare_file_, ": ", os_reason(errno));
    }
    return true;
  }
  return true;
}

void tcp_acceptor::release_reserve() {
  for (auto& fd : reserve_)
    if (fd >= 0)
      ::close(std::exchange(fd, -1));
}

bool tcp_acceptor::wait_unless_stopped(int ms) {
  pollfd wake{wake_read_, POLLIN, 0};
  int rc = ::poll(&wake, 1, ms);
  return !(rc > 0 && (wake.revents & POLLIN));
}

void tcp_acceptor::run() {
  read_fd_limit();
  hold_reserve();
  int backoff_ms = first_backoff_ms;
  // Failed attempts since accept() last worked, and since the last line.
  uint64_t failures = 0;
  uint64_t unreported = 0;
  auto last_report = steady::time_point{};
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      HAT_LOG_ERROR("eventer", "accepting stopped: poll failed: ",
                    os_reason(errno));
      return;
    }
    if (fds[1].revents & POLLIN)
      return;
    // Accept all that waits, then poll again; stop() is heard between two
    // accepts (a flood of clients never leaves EAGAIN to wait for).
    for (;;) {
      if (stopping_)
        return;
      // Still out of descriptors when the reserve cannot be taken back
      // (errno from open): wait on without accepting.
      int fd = hold_reserve() ? ::accept4(listen_fd_, nullptr, nullptr,
                                          SOCK_NONBLOCK | SOCK_CLOEXEC)
                              : -1;
      if (fd >= 0) {
        if (failures > 0)
          HAT_LOG_INFO("eventer", "accepting connections again after ",
                       failures, " failed attempts");
        failures = 0;
        unreported = 0;
        backoff_ms = first_backoff_ms;
        // Descriptors are handed out lowest first: one this close to the
        // limit means the process has (almost) none left. The spares go to
        // the rest of the server before the new connection starts, not
        // only when the next accept fails.
        if (near_limit(fd))
          release_reserve();
        deliver_(accepted_socket{fd});
        continue;
      }
      int err = errno;
      if (err == EAGAIN || err == EWOULDBLOCK)
        break;
      if (connection_error(err))
        continue;
      // Out of descriptors (or anything unexpected): accept() would fail
      // again at once. Clients wait in the backlog meanwhile; the reserve
      // goes to the rest of the server.
      if (out_of_resources(err)) {
        release_reserve();
        read_fd_limit();
      }
      ++failures;
      ++unreported;
      auto now = steady::now();
      if (failures == 1 || now - last_report >= failure_log_interval) {
        HAT_LOG_ERROR("eventer", "cannot accept connections: ",
                      os_reason(err),
                      out_of_resources(err)
                        ? " (new clients wait until descriptors or memory "
                          "free up)"
                        : "",
                      "; ", unreported, " failed attempts since the last "
                      "report, retrying every ", max_backoff_ms,
                      " ms at most");
        last_report = now;
        unreported = 0;
      }
      if (!wait_unless_stopped(backoff_ms))
        return;
      backoff_ms = std::min(backoff_ms * 2, max_backoff_ms);
      break;
    }
  }
}

}  // namespace hat
