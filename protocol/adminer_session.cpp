#include "protocol/adminer_session.hpp"

namespace hat::adminer {

server_session::server_session(chatter::connection_options options,
                               chatter::clock::time_point now)
  : chatter_(options, now) {
}

bool server_session::receive(std::span<const char> bytes,
                             chatter::clock::time_point now,
                             std::vector<char>& out) {
  if (fault_)
    return false;
  auto error = chatter_.receive(bytes, now, out,
                                [this](const chatter::received_msg& msg) {
                                  return on_message(msg);
                                });
  if (error && !fault_)
    fault_ = "malformed chatter data: " + error->to_string();
  return !fault_;
}

bool server_session::on_message(const chatter::received_msg& msg) {
  // The reference looks neither at `last` nor at whether the message
  // starts a conversation: it answers in the message's conversation.
  auto decoded = decode_message(msg.type, msg.data);
  if (!decoded) {
    fault_ = decoded.error().code == decode_errc::unknown_message_type
               ? "unsupported message type " + std::string{msg.type}
               : "cannot decode " + std::string{msg.type} + ": "
                   + decoded.error().to_string();
    return false;
  }
  if (auto* get = std::get_if<msg_get_log_conf_req>(&*decoded)) {
    queue_.push_back({*get, msg.conv});
  } else if (auto* set = std::get_if<msg_set_log_conf_req>(&*decoded)) {
    queue_.push_back({std::move(*set), msg.conv});
  } else {
    fault_ = "unsupported message type " + std::string{msg.type};
    return false;
  }
  return true;
}

std::optional<request> server_session::next_request() {
  if (queue_.empty())
    return std::nullopt;
  auto next = std::move(queue_.front());
  queue_.pop_front();
  return next;
}

void server_session::answer(std::vector<char>& out,
                            chatter::conversation conv, const message& msg) {
  chatter_.send(
    out, type_name(msg), encoded_size(msg),
    [&](char* at) { encode_to(at, msg); }, conv, true);
}

}  // namespace hat::adminer
