#pragma once

/// The Eventer server's listening socket, accepted on a thread of its own.
///
/// CAF 0.17's doorman accepts inside the multiplexer and ignores a failed
/// accept(): at the process's descriptor limit the listening socket stays
/// readable, so the multiplexer calls accept() again at once, for ever, and
/// nothing is logged. This acceptor owns the socket instead. When accept()
/// fails for lack of descriptors or memory it waits (backing off from 10 ms
/// to 500 ms) before trying again, logs once per interval, and says when it
/// accepts again; clients meanwhile wait in the listen backlog. Accepted
/// sockets go to a callback, which hands them to a broker (add_scribe).
///
/// It holds two spare descriptors while it accepts and lets them go when
/// the process runs out, so the rest of the server still has some while
/// clients wait (a file to open, a pipe: AddressSanitizer's and UBSan's
/// checks need one); it accepts again only once it could take them back.

#include <atomic>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/expected.hpp>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "actors/listen_socket.hpp"

namespace hat {

/// An accepted socket on its way to the listener broker; closed when
/// nobody took it (e.g. the message was dropped with its receiver).
class accepted_socket {
public:
  accepted_socket() = default;
  explicit accepted_socket(int fd);

  /// The descriptor, now the caller's to close; -1 when already taken.
  int release();

private:
  struct owner {
    int fd = -1;
    ~owner();
  };
  std::shared_ptr<owner> owner_;
};

class tcp_acceptor {
public:
  /// Takes over a socket the server bound and listens on
  /// (open_listen_socket); the error (ec::listen_failed) names the address
  /// and the OS reason in words.
  /// The spare descriptors are opened on `spare_file` (tests name one
  /// that does not exist, as in a chroot without /dev/null).
  static caf::expected<std::unique_ptr<tcp_acceptor>>
  adopt(listen_socket socket, std::string spare_file = "/dev/null");

  ~tcp_acceptor();
  tcp_acceptor(const tcp_acceptor&) = delete;
  tcp_acceptor& operator=(const tcp_acceptor&) = delete;

  /// The port actually bound.
  uint16_t port() const {
    return port_;
  }

  /// Starts accepting on the acceptor's thread; every accepted socket
  /// (non-blocking, close-on-exec) goes to `deliver`, called on that
  /// thread.
  void start(std::function<void(accepted_socket)> deliver);

  /// Stops the thread and closes the listening socket. Idempotent.
  void stop();

private:
  tcp_acceptor(int listen_fd, uint16_t port);

  void run();

  /// Takes back the spare descriptors; false when the process is still
  /// out of descriptors.
  bool hold_reserve();
  void release_reserve();
  /// Whether descriptor `fd` is among the last few below the process's
  /// limit (descriptors are handed out lowest first).
  bool near_limit(int fd) const;
  /// Reads the process's descriptor limit into fd_limit_ (at start, and
  /// again whenever descriptors ran out: an operator may have raised it).
  void read_fd_limit();

  /// Waits up to `ms` or until stop(); false once stopped.
  bool wait_unless_stopped(int ms);

  int listen_fd_ = -1;
  /// Written by stop() to wake the thread.
  int wake_read_ = -1;
  int wake_write_ = -1;
  /// What the spare descriptors are opened on.
  std::string spare_file_;
  /// The spare descriptors (on spare_file_), -1 when let go.
  int reserve_[2] = {-1, -1};
  /// The spare file could not be opened for another reason than a lack of
  /// descriptors: accepting goes on without spares (said once).
  bool reserve_unavailable_ = false;
  /// RLIMIT_NOFILE's soft limit; 0 when there is none.
  uint64_t fd_limit_ = 0;
  /// Set by stop(), read by the accepting thread between accepts.
  std::atomic<bool> stopping_{false};
  uint16_t port_ = 0;
  std::function<void(accepted_socket)> deliver_;
  std::thread thread_;
};

}  // namespace hat

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hat::accepted_socket)
