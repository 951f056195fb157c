#pragma once

/// A blocking adminer client (hat-event-adminer, tests): one TCP
/// connection, one request at a time. While it waits for an answer it
/// answers the server's pings; it sends none itself (its requests are
/// short). Protocol and socket only: no thread, no CAF.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/adminer_codec.hpp"
#include "protocol/chatter_connection.hpp"

namespace hat::client {

struct adminer_options {
  std::string host = "127.0.0.1";
  uint16_t port = 23015;
  /// The frame limit; no pings of ours (ping_delay 0).
  chatter::connection_options chatter{chatter::default_max_frame_size,
                                      chatter::clock::duration::zero(),
                                      std::chrono::seconds{20}};
  /// Bound on the connect and on every request.
  std::chrono::milliseconds timeout{10'000};
};

class adminer_client {
public:
  /// Connects. Throws client_error when it cannot within the timeout.
  static adminer_client connect(adminer_options options);

  adminer_client(adminer_client&& other) noexcept;
  adminer_client& operator=(adminer_client&&) = delete;
  adminer_client(const adminer_client&) = delete;
  ~adminer_client();

  /// The server's logging configuration as JSON text, or its error text.
  /// Throws client_error when the connection fails, the answer is not
  /// the one asked for, or it does not come within the timeout.
  adminer::msg_get_log_conf_res get_log_conf();

  /// Asks the server to put the configuration `json_text` in force;
  /// success or the server's error text. Throws as get_log_conf().
  adminer::msg_set_log_conf_res set_log_conf(std::string_view json_text);

private:
  adminer_client(int fd, adminer_options options);

  /// Sends `request` in a new conversation and waits for the answer in
  /// it.
  adminer::message exchange(const adminer::message& request);

  int fd_;
  adminer_options options_;
  chatter::connection chatter_;
};

}  // namespace hat::client
