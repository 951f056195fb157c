#pragma once

/// The little HTTP/1.x the metrics listener speaks: one request head
/// (request line and headers, bounded in size) read incrementally, routed
/// to /metrics or /health, and one answer after which the connection
/// closes. Pure: bytes in, values out; the broker only feeds it.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace hat::http {

/// Largest request head accepted; a head still unfinished at this size is
/// answered 431. Scrapers send a few hundred bytes.
inline constexpr size_t default_max_head = 8 * 1024;

enum class read_state {
  /// The head is not complete yet: feed more bytes.
  incomplete,
  /// A well-formed head was read (request() tells what it asks).
  complete,
  /// The head is malformed: answer 400.
  malformed,
  /// The head grew beyond the limit before it ended: answer 431.
  too_large,
};

struct request {
  std::string method;
  /// The path of the request target, without its query string.
  std::string path;
};

/// Reads one request head from the bytes a connection receives; what
/// follows the head (a body, a pipelined request) is ignored, since the
/// connection closes after the answer.
class request_reader {
public:
  explicit request_reader(size_t max_head = default_max_head)
    : max_head_(max_head) {
  }

  /// Takes the next bytes; once the state is no longer incomplete, more
  /// bytes change nothing.
  read_state feed(std::span<const char> bytes);

  read_state state() const {
    return state_;
  }

  /// The request; valid once the state is complete.
  const request& result() const {
    return request_;
  }

private:
  read_state parse_head(std::string_view head);

  size_t max_head_;
  std::string buffer_;
  read_state state_ = read_state::incomplete;
  request request_;
};

/// What a well-formed request asks for.
enum class route { metrics, health, not_found, method_not_allowed };

/// Only GET and HEAD of /metrics and /health are served.
route route_of(const request& req);

struct response {
  int code = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

/// The reason phrase of the codes we answer with.
std::string_view reason_phrase(int code);

/// The answer's bytes; `head_only` (a HEAD request) leaves the body out
/// but keeps its Content-Length. Every answer says Connection: close;
/// 405 answers say which methods are allowed.
std::string render(const response& res, bool head_only);

/// The answer to a request that could not be read (400 or 431).
response error_response(read_state state);

}  // namespace hat::http
