#pragma once

/// The protocol state of one chatter connection, independent of transport:
/// message ids, conversations, Ping/Pong and the keep-alive deadlines.
/// Bytes come in through receive(), frames to send are appended to a buffer
/// the caller owns and writes to its socket.

#include <chrono>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "protocol/chatter_frame.hpp"

namespace hat::chatter {

using clock = std::chrono::steady_clock;

/// A conversation from this side's point of view.
struct conversation {
  /// This side sent the conversation's first message.
  bool owner = false;
  int64_t first_id = 0;
  bool operator==(const conversation&) const = default;
};

/// An application message (never Ping/Pong). Views the received bytes:
/// valid only during the on_msg callback.
struct received_msg {
  conversation conv;
  /// This message starts its conversation.
  bool first = false;
  /// The conversation ends with this message.
  bool last = false;
  bool token = true;
  std::string_view type;
  std::span<const char> data;
};

inline constexpr std::string_view ping_type = "HatChatter.Ping";
inline constexpr std::string_view pong_type = "HatChatter.Pong";

struct connection_options {
  size_t max_frame_size = default_max_frame_size;
  /// Time without a complete message before a ping is sent; zero sends
  /// none (reference: 20 s).
  clock::duration ping_delay = std::chrono::seconds{20};
  /// Time after a ping without a complete message before the connection
  /// is given up (20 s).
  clock::duration ping_timeout = std::chrono::seconds{20};
};

enum class keepalive_action { none, ping_sent, timed_out };

/// How often a server checks its connections' keep-alive deadlines: a
/// quarter of the shorter keep-alive time, from 10 ms to 1 s, so pings go
/// out and silent peers are closed at most that late; zero when pings are
/// off.
std::chrono::milliseconds
keepalive_check_interval(const connection_options& options);

class connection {
public:
  explicit connection(connection_options options = {},
                      clock::time_point now = clock::now());

  /// Feeds received bytes. Pings are answered into `out`; every other
  /// message goes to `on_msg(const received_msg&)`, which returns false to
  /// stop reading. Returns the framing or Msg decoding error after which the
  /// connection must be closed.
  template <class OnMsg>
  std::optional<decode_error> receive(std::span<const char> bytes,
                                      clock::time_point now,
                                      std::vector<char>& out,
                                      OnMsg&& on_msg);

  /// Appends one frame to `out` whose payload of `payload_size` bytes is
  /// written by `write_payload(char* at)`. Starts a new conversation unless
  /// `conv` is given; `last` ends the conversation.
  template <class WritePayload>
  conversation send(std::vector<char>& out, std::string_view type,
                    size_t payload_size, WritePayload&& write_payload,
                    std::optional<conversation> conv = std::nullopt,
                    bool last = true);

  /// send() for an already encoded payload.
  conversation send(std::vector<char>& out, std::string_view type,
                    std::span<const char> payload,
                    std::optional<conversation> conv = std::nullopt,
                    bool last = true);

  /// send() of a frame whose `payload_size` payload bytes the caller sends
  /// itself right after what this appends (one shared payload written to
  /// many sockets without a copy each): appends all of the frame but them.
  conversation send_head(std::vector<char>& out, std::string_view type,
                         size_t payload_size,
                         std::optional<conversation> conv = std::nullopt,
                         bool last = true);

  /// Sends a ping after `ping_delay` of silence and reports a timeout after
  /// `ping_timeout` more. Call at next_keepalive_check() or later.
  keepalive_action check_keepalive(clock::time_point now,
                                   std::vector<char>& out);

  /// When check_keepalive has something to do next (time_point::max() when
  /// pings are disabled).
  clock::time_point next_keepalive_check() const;

  /// Id the next sent message gets.
  int64_t next_id() const {
    return next_id_;
  }

  /// Bytes held of a received frame not yet complete.
  size_t partial_frame_bytes() const {
    return decoder_.buffered();
  }

private:
  msg_header next_header(std::optional<conversation>& conv, bool last);

  /// Handles one frame body; false when the connection must stop reading.
  template <class OnMsg>
  bool on_frame(std::span<const char> body, clock::time_point now,
                std::vector<char>& out, OnMsg& on_msg);

  connection_options options_;
  frame_decoder decoder_;
  int64_t next_id_ = 1;
  /// When the last complete frame arrived: only a complete message (any,
  /// a Pong included) proves the peer alive, so a frame trickled a byte at
  /// a time gets pinged and given up like silence.
  clock::time_point last_received_;
  /// When the unanswered ping went out.
  std::optional<clock::time_point> ping_sent_;
  /// Msg decoding error seen inside a frame callback.
  std::optional<decode_error> msg_error_;
};

template <class OnMsg>
std::optional<decode_error> connection::receive(std::span<const char> bytes,
                                                clock::time_point now,
                                                std::vector<char>& out,
                                                OnMsg&& on_msg) {
  if (msg_error_)
    return msg_error_;
  auto frame_error = decoder_.feed(bytes, [&](std::span<const char> body) {
    return on_frame(body, now, out, on_msg);
  });
  if (frame_error)
    return frame_error;
  return msg_error_;
}

template <class OnMsg>
bool connection::on_frame(std::span<const char> body, clock::time_point now,
                          std::vector<char>& out, OnMsg& on_msg) {
  last_received_ = now;
  ping_sent_.reset();
  auto msg = decode_msg(body);
  if (!msg) {
    msg_error_ = msg.error();
    return false;
  }
  conversation conv{!msg->header.owner, msg->header.first};
  if (msg->type == ping_type) {
    send(out, pong_type, {}, conv, true);
    return true;
  }
  if (msg->type == pong_type)
    return true;
  received_msg received{
    conv,
    msg->header.owner && msg->header.first == msg->header.id,
    msg->header.last,
    msg->header.token,
    msg->type,
    msg->data,
  };
  return on_msg(received);
}

template <class WritePayload>
conversation connection::send(std::vector<char>& out, std::string_view type,
                              size_t payload_size,
                              WritePayload&& write_payload,
                              std::optional<conversation> conv, bool last) {
  auto header = next_header(conv, last);
  append_frame(out, header, type, payload_size,
               std::forward<WritePayload>(write_payload));
  return *conv;
}

}  // namespace hat::chatter
