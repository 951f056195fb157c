// The adminer of a whole server in this process, over real TCP on
// 127.0.0.1: get before any set answers the file's `log`, a set takes
// effect (its loggers' levels with it, seen in a log file) or changes nothing, a message that
// is no request closes its connection only, and a taken port stops the
// server at start.

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "actors/listen_socket.hpp"
#include "actors/server_error.hpp"
#include "client/adminer_client.hpp"
#include "client/tcp_socket.hpp"
#include "log/logger.hpp"
#include "protocol/chatter_frame.hpp"
#include "tests/server/monitor_double.hpp"
#include "tests/server/server_harness.hpp"
#include "tests/file_log_config.hpp"
#include "tests/temp_dir.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

/// Log lines the server writes while a test runs, and the logger's level
/// put back afterwards (a set changes the process's level).
struct captured_log {
  std::mutex mutex;
  std::vector<std::string> lines;
  log::level level_before = log::current_level();

  captured_log() {
    log::set_level(log::level::info);
    log::set_sink([this](std::string_view line) {
      std::lock_guard<std::mutex> guard{mutex};
      lines.emplace_back(line);
    });
  }
  ~captured_log() {
    log::install(nullptr);
    log::set_sink({});
    log::set_level(level_before);
  }

  bool has(std::string_view text) {
    std::lock_guard<std::mutex> guard{mutex};
    return std::any_of(lines.begin(), lines.end(), [&](const auto& line) {
      return line.find(text) != std::string::npos;
    });
  }
};

/// A server with an adminer on an ephemeral 127.0.0.1 port and `log` as
/// its file's logging configuration (JSON text; empty: none).
config::server_config adminer_config(std::string_view log_json = {}) {
  auto conf = test::test_server_config();
  conf.adminer_server = config::address{"127.0.0.1", 0};
  if (!log_json.empty())
    conf.log_conf = boost::json::parse(log_json);
  return conf;
}

uint16_t adminer_port(test::server_harness& harness) {
  caf::scoped_actor self{harness.system};
  uint16_t port = 0;
  self->request(harness.server, 5s, atom::get::value, atom::adminer::value)
    .receive([&](uint16_t p) { port = p; }, [](caf::error&) {});
  return port;
}

client::adminer_client connect_adminer(test::server_harness& harness) {
  client::adminer_options options;
  options.port = adminer_port(harness);
  options.timeout = 5s;
  return client::adminer_client::connect(std::move(options));
}

std::string get_text(client::adminer_client& client) {
  auto answer = client.get_log_conf();
  REQUIRE_FALSE(answer.error.has_value());
  return answer.conf;
}

/// "" for success, else the server's error text.
std::string set_error(client::adminer_client& client, std::string_view text) {
  return client.set_log_conf(text).error.value_or("");
}

/// A connection the test writes raw frames on.
struct raw_connection {
  int fd;

  explicit raw_connection(uint16_t port)
    : fd(client::tcp::connect("127.0.0.1", port,
                              chatter::clock::now() + 5s)) {
  }
  ~raw_connection() {
    ::close(fd);
  }

  void send(const chatter::msg_header& header, std::string_view type,
            std::vector<char> payload = {}) {
    std::vector<char> frame;
    chatter::append_frame(frame, header, type, payload);
    REQUIRE(client::tcp::write_all(fd, frame) == 0);
  }

  /// Whether the server ends the connection within `bound` (what it sends
  /// before is read and dropped).
  bool closed_within(std::chrono::milliseconds bound) {
    auto deadline = chatter::clock::now() + bound;
    char buffer[4096];
    for (;;) {
      if (client::tcp::wait_readable(fd, deadline) <= 0)
        return false;
      auto got = ::recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0)
        return true;
    }
  }
};

}  // namespace

TEST_CASE("adminer: get before any set answers the file's log, re-encoded "
          "as json.dumps writes it") {
  SUBCASE("a log in the file") {
    test::server_harness harness{adminer_config(
      R"({"version":1,"disable_existing_loggers":false,
          "formatters":{"f":{"format":"\u0161 %(message)s"}}})")};
    auto client = connect_adminer(harness);
    CHECK(get_text(client)
          == R"({"version": 1, "disable_existing_loggers": false, )"
             R"("formatters": {"f": {"format": "\u0161 %(message)s"}}})");
  }
  SUBCASE("no log: null") {
    test::server_harness harness{adminer_config()};
    auto client = connect_adminer(harness);
    CHECK(get_text(client) == "null");
  }
}

namespace {

std::string file_text(const std::filesystem::path& file) {
  std::ifstream in{file};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("adminer: a set is in force for every connection, and its "
          "per-logger levels rule the log output") {
  captured_log log;
  test::temp_dir dir;
  auto out = dir.path / "out.log";
  test::server_harness harness{adminer_config(R"({"version": 1})")};
  auto client = connect_adminer(harness);
  auto other = connect_adminer(harness);
  auto warning_only = test::file_log_config(out, "WARNING");
  CHECK(set_error(client, warning_only) == "");
  CHECK(get_text(other).find(R"("hat.event.adminer": {"level": "WARNING"})")
        != std::string::npos);
  // The keeper writes an INFO line about a refused set before it answers:
  // hat.event.adminer.server is at WARNING, so there is none.
  CHECK(set_error(client, R"({"version": 2})") == "Unsupported version: 2");
  // Back to INFO, the same line is written, in the configured format.
  CHECK(set_error(other, test::file_log_config(out, "INFO")) == "");
  CHECK(set_error(client, R"({"version": 3})") == "Unsupported version: 3");
  CHECK(file_text(out)
        == "INFO hat.event.adminer.server: logging configuration refused: "
           "Unsupported version: 3\n");
  // A set under INFO says so in the file before its configuration takes
  // over (under WARNING it did not).
  CHECK(set_error(client, test::file_log_config(out, "DEBUG")) == "");
  CHECK(file_text(out)
        == "INFO hat.event.adminer.server: logging configuration refused: "
           "Unsupported version: 3\n"
           "INFO hat.event.adminer.server: logging configuration replaced\n");
  // None of it went to the built-in lines.
  CHECK_FALSE(log.has("logging configuration refused"));
  CHECK(harness.shutdown());
}

TEST_CASE("adminer: a refused set changes neither the configuration nor the "
          "log output") {
  captured_log log;
  auto initial = R"({"version": 1, "root": {"level": "INFO"}})";
  test::server_harness harness{adminer_config(initial)};
  auto client = connect_adminer(harness);
  CHECK(set_error(client, "") == "Expecting value: line 1 column 1 (char 0)");
  CHECK(set_error(client, "{\"version\": 1,")
        == "Expecting property name enclosed in double quotes: line 1 "
           "column 15 (char 14)");
  CHECK(set_error(client, "{}") == "dictionary doesn't specify a version");
  CHECK(set_error(client, "null") == "'NoneType' object is not iterable");
  CHECK(set_error(client, R"({"version": 1, "root": {"level": "ERROR"},
                             "loggers": {"hat.event": {"level": "LOUD"}}})")
        == "Unable to configure logger 'hat.event'");
  CHECK(set_error(client, R"({"version": 1, "root": {"level": "ERROR",
                             "handlers": ["console"]}})")
        == "Unable to configure root logger");
  CHECK(set_error(client, R"({"version": 1, "incremental": true,
                             "handlers": {"console": {"level": "ERROR"}}})")
        == "No handler found with name 'console'");
  // The configuration as before, the level too: the refusals' INFO lines
  // were written.
  CHECK(get_text(client) == R"({"version": 1, "root": {"level": "INFO"}})");
  CHECK(log::installed() == nullptr);
  CHECK(log.has("logging configuration refused: Unable to configure root "
                "logger: Unable to add handler 'console'"));
  CHECK(harness.shutdown());
}

TEST_CASE("adminer: a message that is no request closes its connection "
          "only") {
  captured_log log;
  test::server_harness harness{adminer_config(R"({"version": 1})")};
  auto port = adminer_port(harness);
  auto kept = connect_adminer(harness);
  auto eventer = harness.connect("eventer-client");
  raw_connection wrong{port};
  SUBCASE("an Eventer message") {
    wrong.send({1, 1, true, true, false}, "HatEventer.MsgInitReq");
    CHECK(wrong.closed_within(5s));
    CHECK(log.has("ERROR [adminer] connection 2 closed: unsupported message "
                  "type HatEventer.MsgInitReq"));
  }
  SUBCASE("a request that does not decode") {
    wrong.send({1, 1, true, true, false}, "HatEventAdminer.MsgSetLogConfReq",
               {'\x85'});
    CHECK(wrong.closed_within(5s));
    CHECK(log.has("ERROR [adminer] connection 2 closed: cannot decode "
                  "HatEventAdminer.MsgSetLogConfReq"));
  }
  SUBCASE("bytes that are no chatter message") {
    wrong.send({1, 1, true, true, false}, "HatEventAdminer.MsgGetLogConfReq");
    const char junk[] = "\x01\x05" "abcde";
    REQUIRE(client::tcp::write_all(wrong.fd, {junk, 7}) == 0);
    CHECK(wrong.closed_within(5s));
    CHECK(log.has("ERROR [adminer] connection 2 closed: malformed chatter "
                  "data"));
  }
  // The other adminer connection, new ones and the Eventer server go on.
  CHECK(get_text(kept) == R"({"version": 1})");
  auto fresh = connect_adminer(harness);
  CHECK(set_error(fresh, R"({"version": 1, "root": {"level": "INFO"}})")
        == "");
  CHECK_NOTHROW(eventer->query(query_latest_params{}));
  CHECK(eventer->is_open());
  CHECK(harness.shutdown());
}

TEST_CASE("adminer: requests before a wrong message are answered first, in "
          "order") {
  captured_log log;
  test::server_harness harness{adminer_config(R"({"version": 1})")};
  raw_connection raw{adminer_port(harness)};
  // Two requests and a wrong message in one write: the set's answer, then
  // the get's, then the end.
  std::vector<char> bytes;
  std::string set_text = R"({"version":1,"root":{"level":"INFO"}})";
  std::vector<char> set_payload;
  adminer::append_encoded(set_payload,
                          adminer::msg_set_log_conf_req{set_text});
  chatter::append_frame(bytes, {1, 1, true, true, false},
                        "HatEventAdminer.MsgSetLogConfReq", set_payload);
  chatter::append_frame(bytes, {2, 2, true, true, false},
                        "HatEventAdminer.MsgGetLogConfReq", {});
  chatter::append_frame(bytes, {3, 3, true, true, false},
                        "HatEventer.MsgQueryReq", {});
  REQUIRE(client::tcp::write_all(raw.fd, bytes) == 0);
  std::vector<adminer::message> answers;
  std::vector<chatter::msg_header> headers;
  chatter::frame_decoder decoder;
  auto deadline = chatter::clock::now() + 5s;
  bool closed = false;
  char buffer[4096];
  while (!closed && client::tcp::wait_readable(raw.fd, deadline) > 0) {
    auto got = ::recv(raw.fd, buffer, sizeof buffer, 0);
    if (got <= 0) {
      closed = true;
      break;
    }
    decoder.feed({buffer, static_cast<size_t>(got)},
                 [&](std::span<const char> body) {
                   auto msg = chatter::decode_msg(body);
                   REQUIRE(msg.ok());
                   headers.push_back(msg->header);
                   auto decoded =
                     adminer::decode_message(msg->type, msg->data);
                   REQUIRE(decoded.ok());
                   answers.push_back(*decoded);
                   return true;
                 });
  }
  CHECK(closed);
  REQUIRE(answers.size() == 2);
  CHECK(answers[0] == adminer::message{adminer::msg_set_log_conf_res{}});
  CHECK(answers[1]
        == adminer::message{adminer::msg_get_log_conf_res{
          std::nullopt, R"({"version": 1, "root": {"level": "INFO"}})"}});
  CHECK(headers[0] == chatter::msg_header{1, 1, false, true, true});
  CHECK(headers[1] == chatter::msg_header{2, 2, false, true, true});
  CHECK(harness.shutdown());
}

TEST_CASE("adminer: served while the server is in standby") {
  captured_log log;
  test::monitor_double monitor;
  auto conf = adminer_config(R"({"version": 1})");
  conf.name = "event-1";
  conf.monitor_component = config::monitor_component_config{
    {"127.0.0.1", monitor.port()}, "event"};
  // Never blessed: no engine runs.
  test::server_harness harness{conf, {}, false};
  REQUIRE(monitor.wait_connections(1));
  auto eventer = harness.connect("watcher");
  CHECK(eventer->server_status() == status::standby);
  auto client = connect_adminer(harness);
  CHECK(get_text(client) == R"({"version": 1})");
  CHECK(set_error(client, R"({"version": 1, "root": {"level": "INFO"}})")
        == "");
  CHECK(get_text(client) == R"({"version": 1, "root": {"level": "INFO"}})");
  CHECK(eventer->server_status() == status::standby);
  CHECK(harness.shutdown());
}

TEST_CASE("adminer: a taken port stops the server at start, naming the "
          "adminer") {
  auto taken = open_listen_socket("127.0.0.1", 0);
  REQUIRE(taken);
  auto conf = adminer_config();
  conf.adminer_server->port = taken->port;
  auto reason = test::start_failure(conf);
  ::close(taken->fd);
  CHECK(render_error(reason)
        == "listen_failed: adminer_server: cannot listen on 127.0.0.1:"
             + std::to_string(taken->port) + ": Address already in use");
}
