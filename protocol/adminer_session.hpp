#pragma once

/// The server side of one adminer connection, independent of transport:
/// chatter framing and pings (chatter::connection), requests decoded and
/// queued in arrival order, answers encoded into the request's
/// conversation with last set, as the reference answers.
///
/// The reference handles one request at a time and answers every one; a
/// message that is no request (another type, a payload that does not
/// decode) ends the connection without an answer. Here requests that came
/// before such a message are still answered, then fault() says why the
/// connection ends.

#include <deque>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "protocol/adminer_codec.hpp"
#include "protocol/chatter_connection.hpp"

namespace hat::adminer {

/// A request of the peer, and the conversation its answer goes to.
struct request {
  std::variant<msg_get_log_conf_req, msg_set_log_conf_req> msg;
  chatter::conversation conv;
};

class server_session {
public:
  explicit server_session(chatter::connection_options options = {},
                          chatter::clock::time_point now
                          = chatter::clock::now());

  /// Feeds received bytes: pings are answered into `out`, requests
  /// queued. Returns false once the connection is to end after the queued
  /// requests are answered (see fault()).
  bool receive(std::span<const char> bytes, chatter::clock::time_point now,
               std::vector<char>& out);

  /// The oldest request not handed out yet.
  std::optional<request> next_request();

  /// Requests received and not handed out.
  size_t queued() const {
    return queue_.size();
  }

  /// Appends the answer to a request in its conversation, last set.
  void answer(std::vector<char>& out, chatter::conversation conv,
              const message& msg);

  /// Why the connection is to end once the queue is empty: a framing
  /// error, a message that is no request, a request that does not decode.
  const std::optional<std::string>& fault() const {
    return fault_;
  }

  /// Message ids, keep-alive, partial frames.
  chatter::connection& chatter() {
    return chatter_;
  }

private:
  bool on_message(const chatter::received_msg& msg);

  chatter::connection chatter_;
  std::deque<request> queue_;
  std::optional<std::string> fault_;
};

}  // namespace hat::adminer
