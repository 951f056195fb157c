#include "log/syslog_handler.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include "log/stream_handler.hpp"

namespace hat::log {

namespace {

/// A send that takes longer than this counts as failed: the thread must
/// come back to notice it is asked to stop.
constexpr timeval send_timeout{5, 0};

std::string errno_text() {
  return std::strerror(errno);
}

}  // namespace

syslog_handler::syslog_handler(syslog_options options, int level,
                               std::vector<std::string> filters)
  : handler(level, record_format{}, std::move(filters)),
    origin_(this_process()),
    sender_(std::make_shared<syslog_sender>(std::move(options), origin_)) {
  std::thread{[sender = sender_] { sender->run(); }}.detach();
}

syslog_handler::~syslog_handler() {
  sender_->stop();
}

void syslog_handler::emit(const record& rec) {
  sender_->queue(syslog_message(rec, origin_));
}

void syslog_sender::queue(std::string message) {
  {
    std::lock_guard guard{mutex_};
    if (stopping_)
      return;
    queue_.push_back(std::move(message));
    while (queue_.size() > options_.queue_size) {
      queue_.pop_front();
      ++dropped_;
    }
  }
  wake_.notify_one();
}

void syslog_sender::stop() {
  {
    std::lock_guard guard{mutex_};
    stopping_ = true;
    if (socket_ >= 0)
      ::shutdown(socket_, SHUT_RDWR);
  }
  wake_.notify_all();
}

void syslog_sender::report(const std::string& what) {
  if (failing_)
    return;
  failing_ = true;
  write_all(STDERR_FILENO, "logging: syslog handler " + options_.host + ":"
                             + std::to_string(options_.port) + ": " + what
                             + "; retrying, records are queued (at most "
                             + std::to_string(options_.queue_size) + ")\n");
}

int syslog_sender::connect_socket() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = options_.tcp ? SOCK_STREAM : SOCK_DGRAM;
  addrinfo* found = nullptr;
  auto port = std::to_string(options_.port);
  if (int rc = ::getaddrinfo(options_.host.c_str(), port.c_str(), &hints,
                             &found);
      rc != 0) {
    report(std::string{"cannot resolve: "} + ::gai_strerror(rc));
    return -1;
  }
  std::string why;
  int fd = -1;
  for (auto* ai = found; ai && fd < 0; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                  ai->ai_protocol);
    if (fd < 0)
      continue;
    // Bounds connect() as well as send() on Linux.
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout,
                 sizeof send_timeout);
    int on = 1;
    if (options_.tcp)
      ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      why = "cannot connect: " + errno_text();
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0)
    report(why.empty() ? "no address" : why);
  return fd;
}

void syslog_sender::run() {
  // The server takes its signals with sigwait on a thread of its own; this
  // thread may start before they are blocked and must never take one.
  sigset_t all;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_BLOCK, &all, nullptr);
  std::unique_lock lock{mutex_};
  while (!stopping_) {
    lock.unlock();
    int fd = connect_socket();
    lock.lock();
    if (fd < 0) {
      wake_.wait_for(lock, options_.reconnect_delay,
                     [this] { return stopping_; });
      continue;
    }
    socket_ = fd;
    while (!stopping_) {
      wake_.wait(lock, [this] {
        return stopping_ || !queue_.empty() || dropped_ > 0;
      });
      if (stopping_)
        break;
      std::string message;
      if (dropped_ > 0) {
        record notice;
        notice.name = "hat.syslog.handler";
        notice.levelno = 40;
        notice.message = "dropped " + std::to_string(dropped_)
                         + " log messages";
        notice.created = std::chrono::system_clock::now();
        notice.thread = static_cast<unsigned long>(::pthread_self());
        notice.where = {"", 0, "_logging_handler_thread"};
        message = syslog_message(notice, origin_);
        dropped_ = 0;
      } else {
        message = std::move(queue_.front());
        queue_.pop_front();
      }
      lock.unlock();
      auto wire = options_.tcp ? octet_counted(message) : message;
      bool sent = write_all(fd, wire, true);
      lock.lock();
      if (!sent) {
        report("send failed: " + errno_text());
        break;
      }
      failing_ = false;
    }
    socket_ = -1;
    ::close(fd);
  }
}

}  // namespace hat::log
