#pragma once

/// hat.syslog.handler.SyslogHandler: records queued and sent by a thread of
/// the handler's own to a syslog server over TCP (octet counting) or UDP
/// (one datagram each), so that logging never waits for the network. The
/// queue holds at most `queue_size` messages and drops the oldest; the
/// next message sent after a drop is "dropped N log messages". A failed
/// connect is retried after `reconnect_delay`; a failed send closes the
/// connection and reconnects at once (that message is lost), as hat's.
/// The formatter is not used: the message goes as logged.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "log/handler.hpp"
#include "log/syslog_message.hpp"

namespace hat::log {

struct syslog_options {
  std::string host;
  uint16_t port = 0;
  /// TCP, else UDP.
  bool tcp = true;
  size_t queue_size = 1024;
  std::chrono::milliseconds reconnect_delay{5000};
};

class syslog_handler : public handler {
public:
  syslog_handler(syslog_options options, int level,
                 std::vector<std::string> filters);
  /// Stops the thread; what is still queued is not sent.
  ~syslog_handler() override;

protected:
  void emit(const record& rec) override;

private:
  void run();
  /// A connected socket, or -1 after reporting why not.
  int connect_socket();
  void report(const std::string& what);

  syslog_options options_;
  syslog_origin origin_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  uint64_t dropped_ = 0;
  bool stopping_ = false;
  /// The socket being used, so that stopping can interrupt a send.
  int socket_ = -1;
  /// An outage was reported and nothing was sent since.
  bool failing_ = false;
  std::thread thread_;
};

}  // namespace hat::log
