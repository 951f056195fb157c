// The metrics listener of a whole server in this process, over real TCP
// on 127.0.0.1: counters move as clients register events (scraped by a
// small raw HTTP client here, and by curl when the machine has it), a
// subscriber dropped by max_send_queue is counted, /health answers in
// standby, and requests that are malformed, too large or for anything
// else are answered 400, 431, 404 or 405 while the listener goes on.

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "actors/listen_socket.hpp"
#include "actors/server_error.hpp"
#include "client/tcp_socket.hpp"
#include "tests/child_process.hpp"
#include "tests/server/monitor_double.hpp"
#include "tests/server/server_harness.hpp"
#include "tests/temp_dir.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

config::server_config with_metrics(config::server_config conf) {
  conf.metrics_server = config::address{"127.0.0.1", 0};
  return conf;
}

uint16_t metrics_port(test::server_harness& harness) {
  caf::scoped_actor self{harness.system};
  uint16_t port = 0;
  self->request(harness.server, 5s, atom::get::value, atom::metrics::value)
    .receive([&](uint16_t p) { port = p; }, [](caf::error&) {});
  return port;
}

struct http_answer {
  /// 0 when no status line came back.
  int code = 0;
  std::string head;
  std::string body;
};

/// Sends `request` as is and reads the answer to the end of the stream
/// (the listener closes after each answer), within 5 s.
http_answer http_exchange(uint16_t port, std::string_view request) {
  int fd = client::tcp::connect("127.0.0.1", port, chatter::clock::now() + 5s);
  REQUIRE(fd >= 0);
  REQUIRE(client::tcp::write_all(fd, {request.data(), request.size()}) == 0);
  std::string got;
  char buf[16384];
  auto deadline = chatter::clock::now() + 5s;
  while (client::tcp::wait_readable(fd, deadline) > 0) {
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      break;
    got.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  http_answer answer;
  auto end = got.find("\r\n\r\n");
  if (got.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos)
    return answer;
  answer.code = std::stoi(got.substr(9, 3));
  answer.head = got.substr(0, end + 2);
  answer.body = got.substr(end + 4);
  return answer;
}

http_answer get(uint16_t port, std::string_view path) {
  return http_exchange(port, "GET " + std::string{path}
                          + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

/// The value of the sample line `name` (with its labels) in `text`.
std::optional<double> sample(const std::string& text, std::string_view name) {
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);)
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0
        && line[name.size()] == ' ')
      return std::stod(line.substr(name.size() + 1));
  return std::nullopt;
}

double scraped(uint16_t port, std::string_view name) {
  auto answer = get(port, "/metrics");
  REQUIRE(answer.code == 200);
  auto value = sample(answer.body, name);
  REQUIRE_MESSAGE(value, name);
  return *value;
}

/// Scrapes until `pred` holds for the sample `name` or 10 s passed.
template <class Pred>
bool scrape_until(uint16_t port, std::string_view name, Pred pred) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    // A sample may not be there yet (a peer's, before its sync actor ran).
    auto answer = get(port, "/metrics");
    REQUIRE(answer.code == 200);
    if (auto value = sample(answer.body, name); value && pred(*value))
      return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

constexpr auto registered = "hat_event_events_registered_total";
constexpr auto persisted = "hat_event_events_persisted_total";

}  // namespace

TEST_CASE("metrics: counters move as events are registered over TCP") {
  test::temp_dir dir;
  auto db = dir.path / "event.db";
  test::server_harness harness{
    with_metrics(test::test_lmdb_server_config(1, db))};
  auto port = metrics_port(harness);
  REQUIRE(port != 0);

  auto before = scraped(port, registered);
  auto sessions_before = scraped(port, "hat_event_sessions_total");
  auto producer = harness.connect("producer");
  constexpr int count = 20;
  for (int i = 0; i < count; ++i)
    REQUIRE(producer->register_with_response(
      {test::json_event({"metrics", std::to_string(i)})}));

  // The engine answers a register once it handed the session to the
  // store, which may count it a moment later.
  CHECK(scrape_until(port, registered,
                     [&](double n) { return n >= before + count; }));
  CHECK(scrape_until(port, "hat_event_sessions_total", [&](double n) {
    return n >= sessions_before + count;
  }));
  auto answer = get(port, "/metrics");
  REQUIRE(answer.code == 200);
  CHECK(answer.head.find("Content-Type: text/plain; version=0.0.4")
        != std::string::npos);
  CHECK(answer.head.find("Connection: close") != std::string::npos);
  CHECK(*sample(answer.body, "hat_event_connections") >= 1);
  CHECK(*sample(answer.body, "hat_event_connections_accepted_total") >= 1);
  CHECK(*sample(answer.body,
                "hat_event_server_status{status=\"operational\"}") == 1);
  // LMDB flushes every 50 ms: everything registered becomes persisted.
  CHECK(scrape_until(port, "hat_event_backlog_events",
                     [](double backlog) { return backlog == 0; }));
  CHECK(scraped(port, persisted) >= before + count);
  CHECK(scrape_until(port, "hat_event_flush_duration_seconds_count",
                     [](double n) { return n >= 1; }));
  CHECK(scraped(port, "hat_event_store_size_bytes")
        == static_cast<double>(std::filesystem::file_size(db)));

  auto health = get(port, "/health");
  CHECK(health.code == 200);
  CHECK(health.body == "{\"status\": \"operational\"}\n");

  // The client going counts it closed.
  producer.reset();
  CHECK(scrape_until(port, "hat_event_connections",
                     [](double open) { return open == 0; }));
  CHECK(harness.shutdown());
}

TEST_CASE("metrics: scraped by curl, a real HTTP client") {
  const std::filesystem::path curl = "/usr/bin/curl";
  if (!std::filesystem::exists(curl)) {
    MESSAGE("no /usr/bin/curl: the raw client's tests stand alone");
    return;
  }
  test::temp_dir dir;
  test::server_harness harness{with_metrics(test::test_server_config())};
  auto port = metrics_port(harness);
  auto url = "http://127.0.0.1:" + std::to_string(port);
  auto producer = harness.connect("producer");
  REQUIRE(producer->register_with_response({test::json_event({"curl"})}));

  auto scrape = test::run_process(curl, dir.path,
                                  {"-s", "-S", "--max-time", "10",
                                   "-w", "\ncode=%{http_code}",
                                   url + "/metrics"});
  CHECK(scrape.exit_code == 0);
  CHECK(scrape.out.find("code=200") != std::string::npos);
  auto value = sample(scrape.out, registered);
  REQUIRE(value);
  CHECK(*value >= 1);

  auto health = test::run_process(
    curl, dir.path,
    {"-s", "--max-time", "10", "-w", "\ncode=%{http_code}", url + "/health"});
  CHECK(health.out == "{\"status\": \"operational\"}\n\ncode=200");

  auto head = test::run_process(curl, dir.path,
                                {"-s", "-I", "--max-time", "10",
                                 url + "/metrics"});
  CHECK(head.exit_code == 0);
  CHECK(head.out.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);

  auto missing = test::run_process(
    curl, dir.path,
    {"-s", "-o", "/dev/null", "-w", "%{http_code}", url + "/nothing"});
  CHECK(missing.out == "404");
  CHECK(harness.shutdown());
}

TEST_CASE("metrics: a subscriber dropped by max_send_queue is counted") {
  auto conf = with_metrics(test::test_server_config());
  // Small, so the sleeper is dropped after a few MB beyond what the
  // socket buffers take; a reading client never comes near it.
  conf.eventer_server.max_send_queue = 1024 * 1024;
  test::server_harness harness{conf};
  auto port = metrics_port(harness);
  constexpr auto dropped
    = "hat_event_connections_dropped_total{bound=\"max_send_queue\"}";
  REQUIRE(scraped(port, dropped) == 0);

  // A raw client that subscribes to everything and then never reads (the
  // technique of slow_client_test).
  int fd = client::tcp::connect("127.0.0.1", harness.port(),
                                chatter::clock::now() + 5s);
  REQUIRE(fd >= 0);
  REQUIRE(client::tcp::write_all(fd, test::init_subscribing_all("sleeper"))
          == 0);
  REQUIRE(scrape_until(port, "hat_event_connections",
                       [](double open) { return open >= 1; }));

  auto producer = harness.connect("producer");
  std::string payload(100'000, 'x');
  bool counted = false;
  // At most 40 MB: far beyond the socket buffers plus the bound.
  for (int i = 0; i < 400 && !counted; ++i) {
    REQUIRE(producer->register_with_response(
      {register_event{{"big", std::to_string(i)}, std::nullopt,
                      payload_binary{"blob", payload}}}));
    if (i % 10 == 9)
      counted = scraped(port, dropped) == 1;
  }
  CHECK(counted);
  // The producer reads: it was not dropped, and nothing else was.
  CHECK(scraped(port, dropped) == 1);
  CHECK(producer->register_with_response({test::json_event({"after"})}));
  ::close(fd);
  CHECK(harness.shutdown());
}

TEST_CASE("metrics: a client beyond max_connections is counted") {
  auto conf = with_metrics(test::test_server_config());
  conf.eventer_server.max_connections = 1;
  test::server_harness harness{conf};
  auto port = metrics_port(harness);
  constexpr auto refused
    = "hat_event_connections_dropped_total{bound=\"max_connections\"}";
  auto first = harness.connect("first");
  REQUIRE(scraped(port, refused) == 0);
  int fd = client::tcp::connect("127.0.0.1", harness.port(),
                                chatter::clock::now() + 5s);
  REQUIRE(fd >= 0);
  CHECK(scrape_until(port, refused, [](double n) { return n == 1; }));
  ::close(fd);
  CHECK(scraped(port, "hat_event_connections") == 1);
  CHECK(harness.shutdown());
}

TEST_CASE("metrics: bad requests are answered 400, 431, 404 or 405 and "
          "the listener goes on") {
  test::server_harness harness{with_metrics(test::test_server_config())};
  auto port = metrics_port(harness);

  CHECK(http_exchange(port, "NONSENSE\r\n\r\n").code == 400);
  CHECK(http_exchange(port, "GET /metrics HTTP/1.1\r\nno colon\r\n\r\n")
          .code
        == 400);
  CHECK(http_exchange(port, std::string{"\x16\x03\x01\x00\xa5\x01\r\n\r\n", 10})
          .code
        == 400);
  auto oversized = http_exchange(port, "GET /metrics HTTP/1.1\r\nX-Big: "
                                    + std::string(20'000, 'a') + "\r\n\r\n");
  CHECK(oversized.code == 431);
  // No line end at all, ever: too large once the limit is reached.
  CHECK(http_exchange(port, std::string(9'000, 'G')).code == 431);

  auto post = http_exchange(port, "POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(post.code == 405);
  CHECK(post.head.find("Allow: GET, HEAD") != std::string::npos);
  CHECK(get(port, "/").code == 404);
  CHECK(get(port, "/metrics/../health").code == 404);

  auto head = http_exchange(port, "HEAD /metrics HTTP/1.1\r\n\r\n");
  CHECK(head.code == 200);
  CHECK(head.body.empty());
  CHECK(head.head.find("Content-Length: 0") == std::string::npos);

  // A client that connects and says nothing does not block the others.
  int silent = client::tcp::connect("127.0.0.1", port,
                                    chatter::clock::now() + 5s);
  REQUIRE(silent >= 0);
  CHECK(get(port, "/metrics").code == 200);
  ::close(silent);
  // Nor did any of that touch the Eventer.
  auto producer = harness.connect("producer");
  CHECK(producer->register_with_response({test::json_event({"still"})}));
  CHECK(harness.shutdown());
}

TEST_CASE("metrics: /health answers 200 in standby, and the status gauge "
          "says standby") {
  test::monitor_double monitor;
  auto conf = with_metrics(test::test_server_config());
  conf.name = "event-1";
  conf.monitor_component = config::monitor_component_config{
    {"127.0.0.1", monitor.port()}, "event"};
  // Never blessed: no engine runs.
  test::server_harness harness{conf, {}, false};
  REQUIRE(monitor.wait_connections(1));
  auto port = metrics_port(harness);
  auto health = get(port, "/health");
  CHECK(health.code == 200);
  CHECK(health.body == "{\"status\": \"standby\"}\n");
  CHECK(scraped(port, "hat_event_server_status{status=\"standby\"}") == 1);
  CHECK(scraped(port, "hat_event_server_status{status=\"operational\"}") == 0);
  CHECK(harness.shutdown());
}

TEST_CASE("metrics: a peer's events copied, its lag and its synced state "
          "are counted per peer") {
  constexpr int64_t peer_id = 2;
  test::server_harness a{test::test_server_config(peer_id)};
  auto producer = a.connect("producer");
  for (int i = 0; i < 5; ++i)
    REQUIRE(producer->register_with_response(
      {test::json_event({"before", std::to_string(i)})}));

  test::monitor_double monitor;
  auto conf = with_metrics(test::test_server_config(1));
  conf.name = "event-1";
  conf.sync_retry_delay = 0.05;
  conf.monitor_component = config::monitor_component_config{
    {"127.0.0.1", monitor.port()}, "event"};
  test::server_harness b{conf, {}, false};
  auto port = metrics_port(b);
  REQUIRE(monitor.wait_connections(1));
  REQUIRE(monitor.clients(0).wait_for_count(1));
  // No peer yet: no per-peer samples.
  CHECK(get(port, "/metrics").body.find("hat_event_sync_")
        == std::string::npos);
  test::list_with(monitor, 0, {test::event_member(2, "event-2", "event",
                                                 peer_id, a.port())});

  constexpr auto labels = "{peer=\"event-2\",server_id=\"2\"}";
  auto name = [&](std::string metric) { return metric + labels; };
  CHECK(scrape_until(port, name("hat_event_sync_synced"),
                     [](double synced) { return synced == 1; }));
  // STARTED, CONNECTED and five registered: seven events of A at least.
  CHECK(scrape_until(port, name("hat_event_sync_events_total"),
                     [](double n) { return n >= 7; }));
  auto copied = scraped(port, name("hat_event_sync_events_total"));
  REQUIRE(producer->register_with_response({test::json_event({"after"})}));
  CHECK(scrape_until(port, name("hat_event_sync_events_total"),
                     [&](double n) { return n >= copied + 1; }));
  // One machine, one clock: the lag is what copying took.
  auto lag = scraped(port, name("hat_event_sync_lag_seconds"));
  CHECK(lag >= 0);
  CHECK(lag < 10);
  // The copies count as registered in B's store too.
  CHECK(scraped(port, registered) >= copied + 1);
}

TEST_CASE("metrics: a taken metrics port stops the server at start, "
          "naming metrics_server") {
  auto taken = open_listen_socket("127.0.0.1", 0);
  REQUIRE(taken);
  auto conf = with_metrics(test::test_server_config());
  conf.metrics_server->port = taken->port;
  auto reason = test::start_failure(conf);
  ::close(taken->fd);
  CHECK(render_error(reason)
        == "listen_failed: metrics_server: cannot listen on 127.0.0.1:"
             + std::to_string(taken->port) + ": Address already in use");
}
