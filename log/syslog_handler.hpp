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
#include <memory>
#include <mutex>
#include <string>

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

/// What the sending thread works on: shared by the handler and its
/// thread, so that the handler can go without waiting for the thread.
class syslog_sender {
public:
  syslog_sender(syslog_options options, syslog_origin origin)
    : options_(std::move(options)), origin_(std::move(origin)) {}

  /// Queues one message (dropping the oldest beyond queue_size).
  void queue(std::string message);
  /// Asks the thread to stop; an ongoing send is interrupted.
  void stop();
  /// The thread's body: connect, send what is queued, reconnect.
  void run();

private:
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
};

class syslog_handler : public handler {
public:
  syslog_handler(syslog_options options, int level,
                 std::vector<std::string> filters);
  /// Tells the thread to stop and lets it end on its own: the last
  /// reference to a replaced configuration may go on any thread, an
  /// actor's too, and a connect or a name lookup in progress can take
  /// seconds. What is still queued is not sent.
  ~syslog_handler() override;

protected:
  void emit(const record& rec) override;

private:
  syslog_origin origin_;
  std::shared_ptr<syslog_sender> sender_;
};

}  // namespace hat::log
