#include "protocol/eventer_client_session.hpp"

#include <utility>

#include "protocol/sbs_writer.hpp"

namespace hat::eventer {

namespace {

/// Writes MsgRegisterReq (Array(RegisterEvent)) straight from the caller's
/// events rather than copying them into a msg_register_req first.
struct register_req_writer {
  const std::vector<register_event>& events;
  eventer::dialect dialect;

  size_t size() const {
    size_t size = sbs::integer_size(static_cast<int64_t>(events.size()));
    for (auto& event : events)
      size += encoded_size(event, dialect);
    return size;
  }

  void operator()(char* at) const {
    sbs::raw_sink sink{at};
    sbs::put_count(sink, events.size());
    at = sink.pos;
    for (auto& event : events)
      at = encode_to(at, event, dialect);
  }
};

template <class Msg>
chatter::conversation send_with(chatter::connection& conn,
                                std::vector<char>& out, const Msg& msg,
                                eventer::dialect dialect,
                                std::optional<chatter::conversation> conv,
                                bool last) {
  return conn.send(out, type_name_of<Msg>(), encoded_size(msg, dialect),
            [&](char* at) { encode_to(at, msg, dialect); }, conv, last);
}

client_session_error error_of(client_session_error::kind what,
                              std::string detail) {
  return client_session_error{what, std::move(detail)};
}

}  // namespace

std::string client_session_error::to_string() const {
  switch (what) {
    case kind::bad_frame:
      return "bad chatter frame: " + detail;
    case kind::bad_message:
      return "bad message: " + detail;
    case kind::unexpected_message:
      return "unexpected message: " + detail;
    case kind::unknown_answer:
      return "answer to no request: " + detail;
    case kind::wrong_answer:
      return "answer of the wrong kind: " + detail;
  }
  return detail;
}

client_session::client_session(client_session_options options,
                               chatter::clock::time_point now)
  : options_(std::move(options)), conn_(options_.chatter, now) {
}

void client_session::start(std::vector<char>& out) {
  init_conversation_ =
    send_with(conn_, out, options_.init, dialect(), std::nullopt, false);
}

int64_t client_session::send_register(
  std::vector<char>& out, const std::vector<register_event>& events,
  bool answer_wanted) {
  register_req_writer writer{events, dialect()};
  auto conv = conn_.send(out, type_name_of<msg_register_req>(),
                         writer.size(), writer, std::nullopt, !answer_wanted);
  if (!answer_wanted)
    return 0;
  pending_.emplace(conv.first_id, request_kind::register_);
  return conv.first_id;
}

int64_t client_session::send_query(std::vector<char>& out,
                                   const query_params& params) {
  auto conv = send_with(conn_, out, msg_query_req{params}, dialect(),
                        std::nullopt, false);
  pending_.emplace(conv.first_id, request_kind::query);
  return conv.first_id;
}

void client_session::forget(int64_t request) {
  if (auto found = pending_.find(request); found != pending_.end())
    found->second = request_kind::forgotten;
}

size_t client_session::pending_requests() const {
  size_t count = 0;
  for (auto& [id, kind] : pending_)
    count += kind != request_kind::forgotten;
  return count;
}

std::optional<client_session_error>
client_session::receive(std::span<const char> bytes,
                        chatter::clock::time_point now,
                        std::vector<char>& out,
                        std::vector<client_news>& news) {
  std::optional<client_session_error> failure;
  auto frame_error = conn_.receive(
    bytes, now, out, [&](const chatter::received_msg& msg) {
      auto decoded = decode_message(msg.type, msg.data, dialect());
      if (!decoded) {
        failure = error_of(client_session_error::kind::bad_message,
                           std::string{msg.type} + ": "
                             + decoded.error().to_string());
        return false;
      }
      failure = on_message(msg, *decoded, news);
      return !failure;
    });
  if (failure)
    return failure;
  if (frame_error)
    return error_of(client_session_error::kind::bad_frame,
                    frame_error->to_string());
  return std::nullopt;
}

std::optional<client_session_error>
client_session::take_answer(const chatter::received_msg& msg,
                            request_kind expected, bool& dropped) {
  auto found = msg.conv.owner ? pending_.find(msg.conv.first_id)
                              : pending_.end();
  if (found == pending_.end())
    return error_of(client_session_error::kind::unknown_answer,
                    std::string{msg.type} + " in conversation "
                      + std::to_string(msg.conv.first_id));
  auto kind = found->second;
  pending_.erase(found);
  dropped = kind == request_kind::forgotten;
  if (!dropped && kind != expected)
    return error_of(client_session_error::kind::wrong_answer,
                    std::string{msg.type} + " in conversation "
                      + std::to_string(msg.conv.first_id));
  return std::nullopt;
}

std::optional<client_session_error>
client_session::on_message(const chatter::received_msg& msg,
                           message& decoded,
                           std::vector<client_news>& news) {
  auto unexpected = [&] {
    return error_of(client_session_error::kind::unexpected_message,
                    std::string{msg.type});
  };
  if (!answered_) {
    auto* res = std::get_if<msg_init_res>(&decoded);
    if (!res || !init_conversation_ || msg.conv != *init_conversation_)
      return unexpected();
    answered_ = true;
    status_ = res->status;
    news.push_back(init_answered{std::move(res->error), res->status});
    return std::nullopt;
  }
  if (auto* notify = std::get_if<msg_status_notify>(&decoded)) {
    status_ = notify->status;
    status_changed changed{notify->status, std::nullopt};
    if (!msg.last && dialect() == dialect::v0_9_0)
      changed.ack = msg.conv;
    news.push_back(std::move(changed));
    return std::nullopt;
  }
  if (auto* notify = std::get_if<msg_events_notify>(&decoded)) {
    events_arrived arrived{std::move(notify->events), std::nullopt};
    if (!msg.last && dialect() == dialect::current)
      arrived.ack = msg.conv;
    news.push_back(std::move(arrived));
    return std::nullopt;
  }
  bool dropped = false;
  if (auto* res = std::get_if<msg_register_res>(&decoded)) {
    if (auto failure = take_answer(msg, request_kind::register_, dropped))
      return failure;
    if (!dropped)
      news.push_back(
        register_answered{msg.conv.first_id, std::move(res->events)});
    return std::nullopt;
  }
  if (auto* res = std::get_if<msg_query_res>(&decoded)) {
    if (auto failure = take_answer(msg, request_kind::query, dropped))
      return failure;
    if (!dropped)
      news.push_back(
        query_answered{msg.conv.first_id, std::move(res->result)});
    return std::nullopt;
  }
  return unexpected();
}

void client_session::acknowledge(std::vector<char>& out,
                                 const client_news& news) {
  if (auto* changed = std::get_if<status_changed>(&news); changed
                                                          && changed->ack)
    send_with(conn_, out, msg_status_ack{}, dialect(), changed->ack, true);
  if (auto* arrived = std::get_if<events_arrived>(&news); arrived
                                                          && arrived->ack)
    send_with(conn_, out, msg_events_ack{}, dialect(), arrived->ack, true);
}

chatter::keepalive_action
client_session::check_keepalive(chatter::clock::time_point now,
                                std::vector<char>& out) {
  return conn_.check_keepalive(now, out);
}

chatter::clock::time_point client_session::next_keepalive_check() const {
  return conn_.next_keepalive_check();
}

}  // namespace hat::eventer
