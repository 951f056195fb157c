#include "client/adminer_client.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <utility>

#include "client/eventer_client.hpp"
#include "client/tcp_socket.hpp"

namespace hat::client {

namespace {

using chatter::clock;

constexpr size_t read_chunk_size = 64 * 1024;

/// The answer of type `Msg`, or client_error naming what came instead.
template <class Msg>
Msg answer_as(adminer::message answer) {
  if (auto* msg = std::get_if<Msg>(&answer))
    return std::move(*msg);
  throw client_error("unexpected answer "
                     + std::string{adminer::type_name(answer)});
}

}  // namespace

adminer_client adminer_client::connect(adminer_options options) {
  auto deadline = clock::now() + options.timeout;
  int fd = tcp::connect(options.host, options.port, deadline);
  return adminer_client{fd, std::move(options)};
}

adminer_client::adminer_client(int fd, adminer_options options)
  : fd_(fd), options_(std::move(options)), chatter_(options_.chatter) {
}

adminer_client::adminer_client(adminer_client&& other) noexcept
  : fd_(std::exchange(other.fd_, -1)), options_(std::move(other.options_)),
    chatter_(std::move(other.chatter_)) {
}

adminer_client::~adminer_client() {
  if (fd_ >= 0)
    ::close(fd_);
}

adminer::msg_get_log_conf_res adminer_client::get_log_conf() {
  return answer_as<adminer::msg_get_log_conf_res>(
    exchange(adminer::msg_get_log_conf_req{}));
}

adminer::msg_set_log_conf_res
adminer_client::set_log_conf(std::string_view json_text) {
  return answer_as<adminer::msg_set_log_conf_res>(
    exchange(adminer::msg_set_log_conf_req{std::string{json_text}}));
}

adminer::message adminer_client::exchange(const adminer::message& request) {
  if (fd_ < 0)
    throw client_error("connection closed");
  auto deadline = clock::now() + options_.timeout;
  std::vector<char> out;
  // last=false: an answer is asked for, as the reference's client asks.
  auto conv = chatter_.send(
    out, adminer::type_name(request), adminer::encoded_size(request),
    [&](char* at) { adminer::encode_to(at, request); }, std::nullopt, false);
  if (int error = tcp::write_all(fd_, out))
    throw client_error("cannot send: " + tcp::error_text(error));
  std::optional<adminer::message> answer;
  std::optional<std::string> fault;
  std::vector<char> buffer(read_chunk_size);
  while (!answer && !fault) {
    int ready = tcp::wait_readable(fd_, deadline);
    if (ready == 0)
      throw client_error("no answer within "
                         + std::to_string(options_.timeout.count()) + " ms");
    ssize_t got = -1;
    if (ready > 0)
      got = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0)
      throw client_error("connection closed by the server");
    out.clear();
    auto error = chatter_.receive(
      {buffer.data(), static_cast<size_t>(got)}, clock::now(), out,
      [&](const chatter::received_msg& msg) {
        if (msg.conv != conv) {
          fault = "unexpected message " + std::string{msg.type}
                  + " outside the request's conversation";
          return false;
        }
        auto decoded = adminer::decode_message(msg.type, msg.data);
        if (!decoded) {
          fault = "cannot decode " + std::string{msg.type} + ": "
                  + decoded.error().to_string();
          return false;
        }
        answer = std::move(*decoded);
        return true;
      });
    // Pongs go out whatever else came.
    if (!out.empty())
      tcp::write_all(fd_, out);
    if (error && !fault)
      fault = "malformed chatter data: " + error->to_string();
  }
  if (!answer)
    throw client_error(*fault);
  return std::move(*answer);
}

}  // namespace hat::client
