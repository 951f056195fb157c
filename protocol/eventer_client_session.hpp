#pragma once

/// The client's side of one Eventer connection, without I/O or threads:
/// bytes from the server go in, what the server said comes out as news,
/// and frames to send (the init request, requests, pongs, acks) are
/// appended to a buffer the owner writes to its socket. Used by the
/// blocking client library (client/) and by the actors' client broker.
///
/// Conversation bookkeeping: every request that expects an answer is
/// remembered by its conversation until answered; an answer to no request,
/// or of the wrong kind, ends the session with an error. A requester that
/// gave up calls forget(): its answer is then dropped when it comes.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "protocol/chatter_connection.hpp"
#include "protocol/eventer_codec.hpp"

namespace hat::eventer {

struct client_session_options {
  /// Sent first, as it is.
  msg_init_req init;
  eventer::dialect dialect = eventer::dialect::current;
  chatter::connection_options chatter;
};

/// The server answered the init request: accepted (error empty) with its
/// status, or refused with its text.
struct init_answered {
  std::optional<std::string> error;
  hat::status status = status::standby;
};

/// A MsgStatusNotify; `ack`: the server wants an acknowledgement (v0.9.0
/// dialect), sent by acknowledge() once the news was handled.
struct status_changed {
  hat::status status = status::standby;
  std::optional<chatter::conversation> ack;
};

/// A MsgEventsNotify: one session's events matching our subscription;
/// `ack` as above (current dialect).
struct events_arrived {
  std::vector<event> events;
  std::optional<chatter::conversation> ack;
};

/// The answer to send_register(..., true) number `request`: the events, or
/// nothing when the server refused (not operational).
struct register_answered {
  int64_t request = 0;
  std::optional<std::vector<event>> events;
};

struct query_answered {
  int64_t request = 0;
  query_result result;
};

/// What the server said, in arrival order.
using client_news = std::variant<init_answered, status_changed,
                                 events_arrived, register_answered,
                                 query_answered>;

/// Why the session must end (the connection is then closed).
struct client_session_error {
  enum class kind : uint8_t {
    /// Not a chatter frame, or a frame over the size bound.
    bad_frame,
    /// A message that does not decode.
    bad_message,
    /// A message the client never gets (a request), or anything before
    /// the init answer.
    unexpected_message,
    /// An answer outside a conversation we started, or to no request.
    unknown_answer,
    /// A register answer to a query, or the reverse.
    wrong_answer,
  };
  kind what = kind::bad_frame;
  std::string detail;

  /// E.g. "unexpected message: HatEventer.MsgRegisterReq".
  std::string to_string() const;
};

class client_session {
public:
  explicit client_session(client_session_options options,
                          chatter::clock::time_point now =
                            chatter::clock::now());

  /// Appends MsgInitReq: call once, before anything else is sent.
  void start(std::vector<char>& out);

  /// Appends MsgRegisterReq. With an answer wanted, returns the request
  /// number its register_answered carries; without, the server answers
  /// nothing (and 0 is returned).
  int64_t send_register(std::vector<char>& out,
                        const std::vector<register_event>& events,
                        bool answer_wanted);

  /// Appends MsgQueryReq; returns the number its query_answered carries.
  int64_t send_query(std::vector<char>& out, const query_params& params);

  /// The requester of `request` gave up: its answer is dropped.
  void forget(int64_t request);

  /// Feeds bytes from the server. Pongs go to `out`, news to `news` (in
  /// order). After an error the session is over: close.
  std::optional<client_session_error>
  receive(std::span<const char> bytes, chatter::clock::time_point now,
          std::vector<char>& out, std::vector<client_news>& news);

  /// Appends the acknowledgement `news` wants, if any: call once it was
  /// handled (the reference acknowledges after its callback).
  void acknowledge(std::vector<char>& out, const client_news& news);

  /// As chatter::connection: a ping after silence, a timeout after more.
  chatter::keepalive_action check_keepalive(chatter::clock::time_point now,
                                            std::vector<char>& out);
  chatter::clock::time_point next_keepalive_check() const;

  /// The init answer arrived (accepted or refused).
  bool has_init_answer() const {
    return answered_;
  }
  /// The server's status as last told (init answer, status notifications).
  hat::status server_status() const {
    return status_;
  }
  /// Requests sent and neither answered nor forgotten.
  size_t pending_requests() const;
  eventer::dialect dialect() const {
    return options_.dialect;
  }

private:
  enum class request_kind : uint8_t { register_, query, forgotten };

  std::optional<client_session_error>
  on_message(const chatter::received_msg& msg, message& decoded,
             std::vector<client_news>& news);
  std::optional<client_session_error>
  take_answer(const chatter::received_msg& msg, request_kind expected,
              bool& dropped);

  client_session_options options_;
  chatter::connection conn_;
  std::optional<chatter::conversation> init_conversation_;
  bool answered_ = false;
  hat::status status_ = status::standby;
  /// Requests waiting for their answer, by conversation (first id).
  std::map<int64_t, request_kind> pending_;
};

}  // namespace hat::eventer
