#include "protocol/http_request.hpp"

#include <algorithm>

namespace hat::http {

namespace {

/// RFC 9110 token characters (methods and header names).
bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
      || (c >= '0' && c <= '9'))
    return true;
  return std::string_view{"!#$%&'*+-.^_`|~"}.find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char);
}

/// Visible ASCII: what a request target may hold.
bool is_visible(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c > 0x20 && c < 0x7f; });
}

/// Where the head ends (the empty line), both CRLF and bare LF line ends
/// accepted; npos while it has not.
size_t head_end(std::string_view buffer) {
  auto crlf = buffer.find("\r\n\r\n");
  auto lf = buffer.find("\n\n");
  if (crlf != std::string_view::npos)
    crlf += 4;
  if (lf != std::string_view::npos)
    lf += 2;
  return std::min(crlf, lf);
}

/// The next line of `rest` without its line end; `rest` moves past it.
std::string_view next_line(std::string_view& rest) {
  auto nl = rest.find('\n');
  auto line = rest.substr(0, nl);
  rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  return line;
}

bool valid_header(std::string_view line) {
  auto colon = line.find(':');
  if (colon == std::string_view::npos)
    return false;
  auto value = line.substr(colon + 1);
  return is_token(line.substr(0, colon))
         && std::none_of(value.begin(), value.end(), [](char c) {
              return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
            });
}

}  // namespace

read_state request_reader::feed(std::span<const char> bytes) {
  if (state_ != read_state::incomplete)
    return state_;
  // Only what may still belong to the head is kept: never more than the
  // limit, however much a client sends.
  auto room = max_head_ - buffer_.size();
  auto taken = std::min(room, bytes.size());
  // The end may straddle the previous read: look back three bytes.
  auto from = buffer_.size() < 3 ? 0 : buffer_.size() - 3;
  buffer_.append(bytes.data(), taken);
  auto end = head_end(std::string_view{buffer_}.substr(from));
  if (end != std::string_view::npos)
    return state_ = parse_head(std::string_view{buffer_}.substr(0, from + end));
  if (buffer_.size() >= max_head_)
    state_ = read_state::too_large;
  return state_;
}

read_state request_reader::parse_head(std::string_view head) {
  auto line = next_line(head);
  auto first = line.find(' ');
  auto second = line.rfind(' ');
  if (first == std::string_view::npos || first == second)
    return read_state::malformed;
  auto method = line.substr(0, first);
  auto target = line.substr(first + 1, second - first - 1);
  auto version = line.substr(second + 1);
  if (!is_token(method) || target.empty() || target.front() != '/'
      || !is_visible(target)
      || (version != "HTTP/1.1" && version != "HTTP/1.0"))
    return read_state::malformed;
  while (!head.empty()) {
    auto header = next_line(head);
    if (header.empty())
      break;
    if (!valid_header(header))
      return read_state::malformed;
  }
  request_.method = std::string{method};
  request_.path = std::string{target.substr(0, target.find('?'))};
  buffer_.clear();
  buffer_.shrink_to_fit();
  return read_state::complete;
}

route route_of(const request& req) {
  bool known = req.path == "/metrics" || req.path == "/health";
  if (!known)
    return route::not_found;
  if (req.method != "GET" && req.method != "HEAD")
    return route::method_not_allowed;
  return req.path == "/metrics" ? route::metrics : route::health;
}

std::string_view reason_phrase(int code) {
  switch (code) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

std::string render(const response& res, bool head_only) {
  std::string out = "HTTP/1.1 " + std::to_string(res.code) + " ";
  out += reason_phrase(res.code);
  out += "\r\nContent-Type: " + res.content_type;
  out += "\r\nContent-Length: " + std::to_string(res.body.size());
  if (res.code == 405)
    out += "\r\nAllow: GET, HEAD";
  out += "\r\nConnection: close\r\n\r\n";
  if (!head_only)
    out += res.body;
  return out;
}

response error_response(read_state state) {
  if (state == read_state::too_large)
    return {431, "text/plain; charset=utf-8", "request head too large\n"};
  return {400, "text/plain; charset=utf-8", "malformed request\n"};
}

}  // namespace hat::http
