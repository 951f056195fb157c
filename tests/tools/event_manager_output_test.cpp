// hat-event-manager against the real hat-event-server executable: the
// session of operations.md §2.5 (measured with the reference's manager and
// server) replayed, and what it prints compared with what the reference
// printed byte for byte: key order, separators, escapes. Only what the
// server's clock and its session counter put in (each event's timestamp
// and session number) is masked; the two runs cannot share those.

#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <regex>

#include "tests/server/server_process.hpp"
#include "tests/temp_dir.hpp"
#include "tests/tools/manager_process.hpp"

using namespace hat;
using namespace std::chrono_literals;
using test::run_tool;
using test::tool_process;
using test::with_port;

namespace {

/// The reference's lines of operations.md §2.5.
const std::string reference_latest =
  R"({"events": [{"id": {"server": 1, "session": 6, "instance": 1}, "type": ["a", "b"], "timestamp": {"s": 1796102778, "us": 621561}, "source_timestamp": null, "payload": {"data_type": "json", "data": {"value": 42}}}], "more_follows": false})";
const std::string reference_timeseries =
  R"({"events": [{"id": {"server": 1, "session": 15, "instance": 1}, "type": ["a", "e"], "timestamp": {"s": 1796102779, "us": 411407}, "source_timestamp": null, "payload": null}, {"id": {"server": 1, "session": 12, "instance": 1}, "type": ["a", "d"], "timestamp": {"s": 1796102779, "us": 177671}, "source_timestamp": null, "payload": {"data_type": "binary", "binary_type": "raw", "data": "0102ff"}}], "more_follows": true})";
const std::vector<std::string> reference_notifications{
  R"([{"id": {"server": 1, "session": 6, "instance": 1}, "type": ["a", "b"], "timestamp": {"s": 1796102778, "us": 621561}, "source_timestamp": null, "payload": {"data_type": "json", "data": {"value": 42}}}])",
  R"([{"id": {"server": 1, "session": 9, "instance": 1}, "type": ["a", "c"], "timestamp": {"s": 1796102778, "us": 937619}, "source_timestamp": {"s": 1700000000, "us": 250000}, "payload": {"data_type": "json", "data": {"v": [1, 2.5, "x"]}}}])",
  R"([{"id": {"server": 1, "session": 12, "instance": 1}, "type": ["a", "d"], "timestamp": {"s": 1796102779, "us": 177671}, "source_timestamp": null, "payload": {"data_type": "binary", "binary_type": "raw", "data": "0102ff"}}])",
  R"([{"id": {"server": 1, "session": 15, "instance": 1}, "type": ["a", "e"], "timestamp": {"s": 1796102779, "us": 411407}, "source_timestamp": null, "payload": null}])",
};

/// The line with each event's session number and (server) timestamp
/// replaced; ", " before "timestamp" keeps source_timestamp as it is.
std::string masked(const std::string& line) {
  static const std::regex session{R"("session": [0-9]+)"};
  static const std::regex stamp{
    R"(, "timestamp": \{"s": [0-9]+, "us": [0-9]+\})"};
  return std::regex_replace(std::regex_replace(line, session, "\"session\": S"),
                            stamp, ", \"timestamp\": T");
}

/// A server as the reference's was run for §2.5: LMDB, every type in
/// latest and in a TIMESTAMP and a SOURCE_TIMESTAMP partition.
struct lmdb_server {
  test::temp_dir dir;
  std::unique_ptr<test::server_process> process;
  std::string port;

  lmdb_server() {
    auto conf = dir.path / "event.yaml";
    std::ofstream{conf} << test::server_config_text(
      "event-manager", 1,
      "\n"
      "    module: lmdb\n"
      "    db_path: " + (dir.path / "event.db").string() + "\n"
      "    identifier: null\n"
      "    flush_period: 1\n"
      "    cleanup_period: 5\n"
      "    conditions: []\n"
      "    latest: {subscriptions: [['*']]}\n"
      "    timeseries:\n"
      "        - {order_by: TIMESTAMP, subscriptions: [['*']]}\n"
      "        - {order_by: SOURCE_TIMESTAMP, subscriptions: [['*']]}\n");
    process = std::make_unique<test::server_process>(
      std::vector<std::string>{"--conf", conf.string()});
    auto number = process->wait_port();
    REQUIRE(number != 0);
    port = std::to_string(number);
  }

  std::vector<std::string> args(std::vector<std::string> rest) const {
    rest.insert(rest.begin(), {"--port", port});
    return rest;
  }
};

/// A register that should succeed silently, as the reference's does
/// (save its exit code, 1 there).
void registered(const lmdb_server& server, std::vector<std::string> args,
                const std::string& input = {}) {
  auto run = run_tool(server.args(std::move(args)), input);
  CHECK(run.code == 0);
  CHECK(run.out.empty());
  CHECK(run.err.empty());
}

}  // namespace

TEST_CASE("hat-event-manager: the reference's session, printed as the "
          "reference printed it") {
  lmdb_server server;
  tool_process sub{server.args({"subscribe", "a/*"})};
  REQUIRE(sub.stderr_has("subscribed"));

  registered(server, {"register", "a/b"}, "{\"value\": 42}\n");
  registered(server, {"register", "--payload-type", "yaml",
                      "--source-timestamp", "1700000000.25", "a/c"},
             "v: [1, 2.5, \"x\"]\n");
  registered(server, {"register", "--payload-type", "binary",
                      "--binary-type", "raw", "a/d"},
             "\x01\x02\xff");
  registered(server, {"register", "--payload-type", "none", "a/e"});
  // Notified once stored: the queries below see all four.
  REQUIRE(sub.out_lines.wait_for_count(4, test::tool_bound));

  auto latest = run_tool(server.args({"query", "latest", "--event-types",
                                      "a/b"}));
  CHECK(latest.code == 0);
  CHECK(latest.err.empty());
  REQUIRE(latest.out.size() == 1);
  CHECK(masked(latest.out[0]) == masked(reference_latest));

  auto timeseries = run_tool(server.args(
    {"query", "timeseries", "--event-types", "a/*", "--max-results", "2"}));
  CHECK(timeseries.code == 0);
  CHECK(timeseries.err.empty());
  REQUIRE(timeseries.out.size() == 1);
  CHECK(masked(timeseries.out[0]) == masked(reference_timeseries));

  sub.signal(SIGTERM);
  CHECK(sub.finish() == 0);
  auto lines = sub.out_lines.items();
  REQUIRE(lines.size() == 4);
  for (size_t i = 0; i < 4; ++i)
    CHECK(masked(lines[i]) == masked(reference_notifications[i]));
  // The masked parts are the same event's in every output.
  CHECK(latest.out[0] == "{\"events\": " + lines[0]
                           + ", \"more_follows\": false}");
  CHECK(timeseries.out[0].starts_with(
    "{\"events\": [" + lines[3].substr(1, lines[3].size() - 2) + ", "
    + lines[2].substr(1, lines[2].size() - 2) + "]"));
}

TEST_CASE("hat-event-manager: payloads from files and escapes, against the "
          "real server") {
  lmdb_server server;
  auto file = [&](const std::string& name, const std::string& text) {
    auto path = server.dir.path / name;
    std::ofstream{path, std::ios::binary} << text;
    return path.string();
  };
  tool_process sub{server.args({"subscribe", "u/*", "--count", "5"})};
  REQUIRE(sub.stderr_has("subscribed"));
  // Non-ASCII is written escaped, as json.dumps writes it.
  registered(server, {"register", "u/json"}, "\"\xc5\xa1\xe4\xb8\xad\"");
  // Without --payload-type the file's suffix decides.
  registered(server, {"register", "u/yaml", "--payload-path",
                      file("p.yml", "v: [yes, 0x10, ~]\n")});
  registered(server, {"register", "u/bin", "--binary-type", "t",
                      "--payload-path", file("p.dat", "\x10z")});
  registered(server, {"register", "u/toml", "--payload-path",
                      file("p.toml", "name = \"pump \\u0161\"\n"
                                     "[limits]\nmax = 9007199254740993\n"
                                     "ratio = 0.1\n[[points]]\nid = 1\n"
                                     "[[points]]\nid = 2\non = true\n")});
  registered(server, {"register", "u/toml-in", "--payload-type", "toml"},
             "b = 1e16\na = [1, 2.5]\n");
  // Notified once stored: the queries below see all five.
  REQUIRE(sub.finish() == 0);
  auto query = [&](const std::string& type) {
    auto run = run_tool(server.args({"query", "latest", "--event-types",
                                     type}));
    CHECK(run.code == 0);
    REQUIRE(run.out.size() == 1);
    auto& line = run.out[0];
    auto at = line.find("\"payload\": ");
    REQUIRE(at != std::string::npos);
    return line.substr(at);
  };
  CHECK(query("u/json") == R"("payload": {"data_type": "json", "data": )"
                           R"("\u0161\u4e2d"}}], "more_follows": false})");
  // As PyYAML's safe_load reads it: yes is true, 0x10 is 16.
  CHECK(query("u/yaml") == R"("payload": {"data_type": "json", "data": )"
                           R"({"v": [true, 16, null]}}}], )"
                           R"("more_follows": false})");
  // As json.dumps(tomllib.load(...)) writes it (CPython 3.11): keys in
  // the file's order, the integer exact, floats as Python's repr.
  CHECK(query("u/toml") == R"("payload": {"data_type": "json", "data": )"
                           R"({"name": "pump \u0161", "limits": )"
                           R"({"max": 9007199254740993, "ratio": 0.1}, )"
                           R"("points": [{"id": 1}, )"
                           R"({"id": 2, "on": true}]}}}], )"
                           R"("more_follows": false})");
  CHECK(query("u/toml-in") == R"("payload": {"data_type": "json", "data": )"
                              R"({"b": 1e+16, "a": [1, 2.5]}}}], )"
                              R"("more_follows": false})");
  CHECK(query("u/bin") == R"("payload": {"data_type": "binary", )"
                          R"("binary_type": "t", "data": "107a"}}], )"
                          R"("more_follows": false})");
}

TEST_CASE("hat-event-manager: failures are one line and an exit code, no "
          "traceback") {
  lmdb_server server;
  auto run = run_tool(server.args({"register", "a/b"}), "not json");
  CHECK(run.code == 1);
  CHECK(run.out.empty());
  CHECK(run.err == "hat-event-manager: error: standard input: Expecting "
                   "value: line 1 column 1 (char 0)\n");
  auto absent = (server.dir.path / "no.json").string();
  auto missing = run_tool(server.args({"register", "a/b", "--payload-path",
                                       absent}));
  CHECK(missing.code == 1);
  CHECK(missing.err == "hat-event-manager: error: " + absent
                         + ": No such file or directory\n");
  auto toml_syntax = run_tool(server.args({"register", "a/b",
                                           "--payload-type", "toml"}),
                              "a = 1\n[t\n");
  CHECK(toml_syntax.code == 1);
  CHECK(toml_syntax.err.starts_with("hat-event-manager: error: standard "
                                    "input: line 2, column "));
  CHECK(toml_syntax.err.find('\n') == toml_syntax.err.size() - 1);
  auto toml_date = run_tool(server.args({"register", "a/b",
                                         "--payload-type", "toml"}),
                            "when = 1979-05-27\n");
  CHECK(toml_date.code == 1);
  CHECK(toml_date.err == "hat-event-manager: error: standard input: when: "
                         "a TOML date or time has no JSON form (the "
                         "reference fails to encode it) (line 1)\n");
  // Nothing was sent.
  auto latest = run_tool(server.args({"query", "latest", "--event-types",
                                      "a/*"}));
  REQUIRE(latest.out.size() == 1);
  CHECK(latest.out[0] == R"({"events": [], "more_follows": false})");

  // The reference's query server crashed; ours asks the server.
  auto stored = run_tool(server.args({"register", "b/x", "--payload-type",
                                      "none", "--with-response"}));
  REQUIRE(stored.code == 0);
  auto by_server = run_tool(server.args({"query", "server", "1",
                                         "--max-results", "1"}));
  CHECK(by_server.code == 0);
  REQUIRE(by_server.out.size() == 1);
  CHECK(by_server.out[0].starts_with(R"({"events": [{"id": {"server": 1, )"));
}
