// The metrics listener's HTTP reading: a request head read in any
// pieces, bounded in size, malformed heads told apart from oversized
// ones, routing to /metrics and /health, and the answer's bytes.

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "protocol/http_request.hpp"

using namespace hat;
using namespace hat::http;

namespace {

read_state read_all(request_reader& reader, std::string_view text) {
  return reader.feed(std::span<const char>{text.data(), text.size()});
}

read_state read_one(std::string_view text) {
  request_reader reader;
  return read_all(reader, text);
}

}  // namespace

TEST_CASE("http: a scraper's request is read, its query string left out") {
  request_reader reader;
  CHECK(read_all(reader, "GET /metrics?x=1 HTTP/1.1\r\nHost: localhost\r\n"
                         "Accept: text/plain\r\n\r\n")
        == read_state::complete);
  CHECK(reader.result().method == "GET");
  CHECK(reader.result().path == "/metrics");
  CHECK(route_of(reader.result()) == route::metrics);
}

TEST_CASE("http: a head arriving byte by byte is complete at its empty "
          "line only") {
  std::string text = "HEAD /health HTTP/1.0\r\nUser-Agent: t\r\n\r\n";
  request_reader reader;
  for (size_t i = 0; i + 1 < text.size(); ++i)
    REQUIRE(read_all(reader, text.substr(i, 1)) == read_state::incomplete);
  CHECK(read_all(reader, text.substr(text.size() - 1))
        == read_state::complete);
  CHECK(route_of(reader.result()) == route::health);
  // Bytes after the head change nothing.
  CHECK(read_all(reader, "garbage") == read_state::complete);
}

TEST_CASE("http: bare LF line ends are accepted") {
  CHECK(read_one("GET /health HTTP/1.1\nHost: a\n\n") == read_state::complete);
}

TEST_CASE("http: malformed heads are told apart") {
  CHECK(read_one("GET\r\n\r\n") == read_state::malformed);
  CHECK(read_one("GET /metrics\r\n\r\n") == read_state::malformed);
  CHECK(read_one("GET metrics HTTP/1.1\r\n\r\n") == read_state::malformed);
  CHECK(read_one("GET /a b HTTP/1.1\r\n\r\n") == read_state::malformed);
  CHECK(read_one("GET /metrics HTTP/2.0\r\n\r\n") == read_state::malformed);
  CHECK(read_one("G(T /metrics HTTP/1.1\r\n\r\n") == read_state::malformed);
  CHECK(read_one("GET /metrics HTTP/1.1\r\nno colon\r\n\r\n")
        == read_state::malformed);
  CHECK(read_one("GET /metrics HTTP/1.1\r\nBad Name: x\r\n\r\n")
        == read_state::malformed);
  CHECK(read_one(std::string{"GET /metrics HTTP/1.1\r\nA: \x01\r\n\r\n"})
        == read_state::malformed);
  CHECK(read_one(std::string{"\x16\x03\x01\x02\x00\r\n\r\n", 9})
        == read_state::malformed);
}

TEST_CASE("http: a head beyond the limit is too large, however it is sent, "
          "and nothing past the limit is kept") {
  std::string big = "GET /metrics HTTP/1.1\r\nX: " + std::string(100, 'a');
  SUBCASE("at once") {
    request_reader reader{64};
    CHECK(read_all(reader, big) == read_state::too_large);
  }
  SUBCASE("in pieces") {
    request_reader reader{64};
    CHECK(read_all(reader, big.substr(0, 40)) == read_state::incomplete);
    CHECK(read_all(reader, big.substr(40)) == read_state::too_large);
  }
  SUBCASE("a head that ends exactly at the limit is read") {
    std::string head = "GET /health HTTP/1.1\r\n\r\n";
    request_reader reader{head.size()};
    CHECK(read_all(reader, head) == read_state::complete);
  }
  SUBCASE("megabytes without a line end") {
    request_reader reader;
    std::string chunk(64 * 1024, 'x');
    read_state state = read_state::incomplete;
    for (int i = 0; i < 32 && state == read_state::incomplete; ++i)
      state = read_all(reader, chunk);
    CHECK(state == read_state::too_large);
  }
}

TEST_CASE("http: routing answers only GET and HEAD of /metrics and "
          "/health") {
  CHECK(route_of({"GET", "/health"}) == route::health);
  CHECK(route_of({"HEAD", "/metrics"}) == route::metrics);
  CHECK(route_of({"POST", "/metrics"}) == route::method_not_allowed);
  CHECK(route_of({"DELETE", "/health"}) == route::method_not_allowed);
  CHECK(route_of({"GET", "/"}) == route::not_found);
  CHECK(route_of({"GET", "/metrics/"}) == route::not_found);
  CHECK(route_of({"POST", "/other"}) == route::not_found);
}

TEST_CASE("http: an answer has its length, closes, and HEAD leaves the "
          "body out") {
  response res{200, "text/plain", "hello\n"};
  CHECK(render(res, false)
        == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
           "Content-Length: 6\r\nConnection: close\r\n\r\nhello\n");
  CHECK(render(res, true)
        == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
           "Content-Length: 6\r\nConnection: close\r\n\r\n");
  auto not_allowed = render({405, "text/plain", ""}, false);
  CHECK(not_allowed.find("HTTP/1.1 405 Method Not Allowed\r\n") == 0);
  CHECK(not_allowed.find("\r\nAllow: GET, HEAD\r\n") != std::string::npos);
  CHECK(error_response(read_state::too_large).code == 431);
  CHECK(error_response(read_state::malformed).code == 400);
  CHECK(reason_phrase(431) == "Request Header Fields Too Large");
}
