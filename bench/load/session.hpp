#pragma once

/// One blocking chatter connection of a load thread: the socket, its chatter
/// state and its buffers. Each load thread owns one and reads its own
/// answers, so no latency is added by handing bytes between threads.

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/chatter_connection.hpp"
#include "protocol/eventer_codec.hpp"

namespace hat::bench {

using clock = chatter::clock;

/// Connection refused or lost, a timeout, or an answer that is not what the
/// protocol says.
class load_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// What answers a load connection: the Eventer server under test, or the
/// chatter echo server that sends every frame back unchanged.
enum class target_kind { server, echo };

std::string_view target_name(target_kind kind);

/// MsgEventsNotify or MsgStatusNotify: what a server sends unasked.
bool is_notification(const chatter::received_msg& msg);

class session {
public:
  /// Connects (TCP_NODELAY) before `deadline`. `cancel`, when given, stops
  /// a blocked read within one read tick once it becomes true.
  session(const std::string& host, uint16_t port,
          clock::time_point deadline,
          const std::atomic<bool>* cancel = nullptr);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  chatter::connection& chatter() {
    return chatter_;
  }

  /// Frames waiting to be written by flush().
  std::vector<char>& out() {
    return out_;
  }

  /// Sends MsgInitReq and waits for the first frame back: MsgInitRes
  /// success from a server, the echoed request from the echo server.
  void init(const eventer::msg_init_req& req, target_kind kind,
            clock::time_point deadline);

  /// Writes and clears out().
  void flush(clock::time_point deadline);

  /// Waits until bytes can be read or `until` passes; true when readable.
  bool wait_readable(clock::time_point until);

  /// Reads what has arrived (blocking until something has, or throwing at
  /// `deadline`) and calls `on_msg(const chatter::received_msg&,
  /// clock::time_point received)` for every application message. Pongs go
  /// to out(): call flush() after.
  template <class OnMsg>
  void receive(clock::time_point deadline, OnMsg&& on_msg);

private:
  /// Bytes read into in_, at least one.
  size_t read_some(clock::time_point deadline);

  int fd_ = -1;
  const std::atomic<bool>* cancel_;
  chatter::connection chatter_;
  std::vector<char> in_;
  std::vector<char> out_;
};

template <class OnMsg>
void session::receive(clock::time_point deadline, OnMsg&& on_msg) {
  auto size = read_some(deadline);
  // One timestamp for every message of this read: they arrived together.
  auto now = clock::now();
  auto error = chatter_.receive(
    std::span<const char>{in_.data(), size}, now, out_,
    [&](const chatter::received_msg& msg) {
      on_msg(msg, now);
      return true;
    });
  if (error)
    throw load_error("malformed chatter stream: " + error->to_string());
}

}  // namespace hat::bench
