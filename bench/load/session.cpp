#include "bench/load/session.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>

#include "client/tcp_socket.hpp"

namespace hat::bench {
namespace {

/// Blocking reads and writes wake up this often to check the deadline and
/// the cancel flag: one system call per read on the fast path, yet nothing
/// blocks for longer than a tick past its deadline.
constexpr auto io_tick = std::chrono::milliseconds{100};

constexpr size_t read_size = 256 * 1024;

void set_timeout(int fd, int option) {
  timeval tv{};
  tv.tv_usec = std::chrono::microseconds{io_tick}.count();
  if (::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv) != 0)
    throw load_error("setsockopt: " + client::tcp::error_text(errno));
}

chatter::connection_options chatter_options() {
  chatter::connection_options options;
  // Runs last seconds: this side never pings, it only answers the peer's.
  options.ping_delay = clock::duration::zero();
  return options;
}

}  // namespace

bool is_notification(const chatter::received_msg& msg) {
  return msg.type == eventer::type_name_of<eventer::msg_events_notify>()
         || msg.type == eventer::type_name_of<eventer::msg_status_notify>();
}

std::string_view target_name(target_kind kind) {
  return kind == target_kind::server ? "server" : "echo";
}

session::session(const std::string& host, uint16_t port,
                 clock::time_point deadline, const std::atomic<bool>* cancel)
  : cancel_(cancel), chatter_(chatter_options()), in_(read_size) {
  try {
    fd_ = client::tcp::connect(host, port, deadline);
  } catch (const std::exception& e) {
    throw load_error(e.what());
  }
  set_timeout(fd_, SO_RCVTIMEO);
  set_timeout(fd_, SO_SNDTIMEO);
}

session::~session() {
  if (fd_ >= 0)
    ::close(fd_);
}

void session::init(const eventer::msg_init_req& req, target_kind kind,
                   clock::time_point deadline) {
  chatter_.send(
    out_, eventer::type_name_of<eventer::msg_init_req>(),
    eventer::encoded_size(req),
    [&](char* at) { eventer::encode_to(at, req); }, std::nullopt, false);
  flush(deadline);
  bool answered = false;
  while (!answered) {
    receive(deadline, [&](const chatter::received_msg& msg,
                          clock::time_point) {
      if (answered) {
        // Read together with the answer: notifications of what happened
        // before this connection's load started (e.g. other clients
        // connecting), which no load figure counts.
        if (is_notification(msg))
          return;
        throw load_error("unexpected message after init: "
                         + std::string{msg.type});
      }
      answered = true;
      if (kind == target_kind::echo) {
        if (msg.type != eventer::type_name_of<eventer::msg_init_req>())
          throw load_error("echo server answered init with "
                           + std::string{msg.type});
        return;
      }
      if (msg.type != eventer::type_name_of<eventer::msg_init_res>())
        throw load_error("server answered init with "
                         + std::string{msg.type});
      auto res = eventer::decode<eventer::msg_init_res>(msg.data);
      if (!res)
        throw load_error("malformed MsgInitRes: " + res.error().to_string());
      if (res->error)
        throw load_error("server refused init: " + *res->error);
    });
    flush(deadline);
  }
}

void session::flush(clock::time_point deadline) {
  std::span<const char> bytes{out_};
  while (!bytes.empty()) {
    auto written = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (written >= 0) {
      bytes = bytes.subspan(static_cast<size_t>(written));
      continue;
    }
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      throw load_error("send: " + client::tcp::error_text(errno));
    if (clock::now() >= deadline)
      throw load_error("timeout: the peer stopped reading");
    if (cancel_ && cancel_->load(std::memory_order_relaxed))
      throw load_error("cancelled");
  }
  out_.clear();
}

bool session::wait_readable(clock::time_point until) {
  for (;;) {
    auto left = until - clock::now();
    if (left <= clock::duration::zero())
      return false;
    // ppoll, unlike poll, sleeps to the microsecond: paced sends are not
    // delayed by a millisecond rounding.
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::min<clock::duration>(left, io_tick))
                .count();
    timespec ts{static_cast<time_t>(ns / 1'000'000'000),
                static_cast<long>(ns % 1'000'000'000)};
    pollfd entry{fd_, POLLIN, 0};
    int ready = ::ppoll(&entry, 1, &ts, nullptr);
    if (ready > 0)
      return true;
    if (ready < 0 && errno != EINTR)
      throw load_error("poll: " + client::tcp::error_text(errno));
    if (cancel_ && cancel_->load(std::memory_order_relaxed))
      throw load_error("cancelled");
  }
}

size_t session::read_some(clock::time_point deadline) {
  for (;;) {
    auto got = ::recv(fd_, in_.data(), in_.size(), 0);
    if (got > 0)
      return static_cast<size_t>(got);
    if (got == 0)
      throw load_error("connection closed by the peer");
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      throw load_error("recv: " + client::tcp::error_text(errno));
    if (clock::now() >= deadline)
      throw load_error("timeout waiting for an answer");
    if (cancel_ && cancel_->load(std::memory_order_relaxed))
      throw load_error("cancelled");
  }
}

}  // namespace hat::bench
