// hat-event-manager: its command line parsed directly, and the executable
// run as a child process against an in-process server (ephemeral port):
// register, query, subscribe, and the exit codes of failures (1) and of bad
// arguments (2). Every wait is bounded and waits on a condition. The
// output compared with the reference's, byte for byte, is in
// event_manager_output_test.cpp.

#include <doctest/doctest.h>

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "actors/event_store.hpp"
#include "actors/eventer_listener.hpp"
#include "actors/notify_fanout.hpp"
#include "client/event_json.hpp"
#include "storage/memory_backend.hpp"
#include "tests/loopback_port.hpp"
#include "tests/server/server_harness.hpp"
#include "tests/tools/manager_process.hpp"
#include "tools/hat_event_manager/arguments.hpp"

using namespace hat;
using namespace std::chrono_literals;
namespace tool = hat::manager_tool;

using hat::test::closed_port;
using hat::test::run_tool;
using hat::test::tool_process;
using hat::test::tool_run;
using hat::test::with_port;

namespace {


/// The single JSON document a register or query printed.
boost::json::value document(const tool_run& run) {
  REQUIRE(run.out.size() == 1);
  return client::json_from_text(run.out[0]);
}

std::vector<event> events_of(const boost::json::value& doc) {
  std::vector<event> events;
  for (auto& v : doc.at("events").as_array())
    events.push_back(client::event_from_json(v));
  return events;
}

std::vector<event> printed_events(const tool_run& run) {
  return events_of(document(run));
}

register_event with_source(event_type type, timestamp source) {
  return {std::move(type), source, payload_json{"null"}};
}


std::filesystem::path write_file(const std::string& name,
                                 const std::string& text) {
  auto dir = std::filesystem::temp_directory_path()
             / ("hat-event-manager-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream{path} << text;
  return path;
}

tool::arguments parse(std::vector<std::string_view> args) {
  return tool::parse_arguments(args);
}

std::string usage_error_of(std::vector<std::string_view> args) {
  try {
    tool::parse_arguments(args);
  } catch (const tool::usage_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("hat-event-manager arguments: event ids, types and timestamps") {
  CHECK(tool::parse_event_id("1/2/3") == event_id{1, 2, 3});
  CHECK(tool::parse_event_id("1,2,-3") == event_id{1, 2, -3});
  CHECK_FALSE(tool::parse_event_id("1/2"));
  CHECK_FALSE(tool::parse_event_id("1/2/3/"));
  CHECK_FALSE(tool::parse_event_id("a/2/3"));
  CHECK(tool::parse_event_type("a/b/c") == event_type{"a", "b", "c"});
  CHECK(tool::parse_event_type("") == event_type{""});
  CHECK(tool::parse_event_type("a//") == event_type{"a", "", ""});
  CHECK(tool::parse_timestamp("2023-11-14T22:13:20.5Z")
        == timestamp{1'700'000'000, 500'000});
  CHECK(tool::parse_timestamp("-0.25") == timestamp{-1, 750'000});
  CHECK(tool::parse_timestamp("1700000000") == timestamp{1'700'000'000, 0});
  CHECK(tool::parse_timestamp("now"));
  CHECK_FALSE(tool::parse_timestamp("yesterday"));
  CHECK_FALSE(tool::parse_timestamp("nan"));
}

TEST_CASE("hat-event-manager arguments: commands and their options") {
  auto args = parse({"query", "--port=1234", "timeseries", "--type", "a/*",
                     "b", "--from", "10", "--t-to", "20.5", "--source-from",
                     "1970-01-01T00:00:30Z", "--source-to=40",
                     "--order", "ASCENDING", "--order-by", "source_timestamp",
                     "--max-results", "5", "--last-event-id", "1/2/3",
                     "--name", "me", "--client-token", "t", "--dialect",
                     "v0.9.0"});
  CHECK(args.connection.port == 1234);
  CHECK(args.connection.dialect == eventer::dialect::v0_9_0);
  CHECK(args.connection.name == "me");
  CHECK(args.connection.token == "t");
  auto& p = std::get<query_timeseries_params>(
    std::get<tool::query_command>(args.command).params);
  CHECK(p.event_types
        == std::vector<event_type>{{"a", "*"}, {"b"}});
  CHECK(p.t_from == timestamp{10, 0});
  CHECK(p.t_to == timestamp{20, 500'000});
  CHECK(p.source_t_from == timestamp{30, 0});
  CHECK(p.source_t_to == timestamp{40, 0});
  CHECK(p.order == order::ascending);
  CHECK(p.order_by == order_by::source_timestamp);
  CHECK(p.max_results == 5);
  CHECK(p.last_event_id == event_id{1, 2, 3});

  auto latest = parse({"query", "latest"});
  CHECK_FALSE(std::get<query_latest_params>(
                std::get<tool::query_command>(latest.command).params)
                .event_types);
  auto server = parse({"query", "server", "7", "--persisted"});
  auto& sp = std::get<query_server_params>(
    std::get<tool::query_command>(server.command).params);
  CHECK(sp == query_server_params{7, true, std::nullopt, std::nullopt});

  auto sub = std::get<tool::subscribe_command>(
    parse({"subscribe", "--count", "2", "--timeout", "0.0005"}).command);
  CHECK(sub.types == std::vector<event_type>{{"*"}});
  CHECK(sub.count == 2);
  CHECK(sub.timeout == std::chrono::milliseconds{1});

  auto reg = std::get<tool::register_command>(
    parse({"register", "--payload", "[1]", "--", "-x/y"}).command);
  CHECK(reg.type == event_type{"-x", "y"});
  // Inline JSON is sent as the reference would send it: json.dumps text.
  auto reg2 = std::get<tool::register_command>(
    parse({"register", "x/y", "--payload", "{\"a\":1,\"b\":\"\u00fc\"}",
           "--with-response", "--source-timestamp", "1.5"})
      .command);
  CHECK(reg2.type == event_type{"x", "y"});
  CHECK(reg2.source_timestamp == timestamp{1, 500'000});
  CHECK(reg2.payload.inline_json == R"({"a": 1, "b": "\u00fc"})");
  CHECK(reg2.with_response);
}

TEST_CASE("hat-event-manager arguments: the reference's forms and "
          "defaults") {
  auto defaults = parse({"query", "latest"});
  CHECK(defaults.connection.host == "127.0.0.1");
  CHECK(defaults.connection.port == 23012);
  CHECK(defaults.connection.name == "manager");
  CHECK_FALSE(defaults.connection.token);

  // --event-types takes what follows up to the next option; given alone it
  // is an empty list, which matches nothing.
  auto latest = parse({"--host", "h", "--client-name", "n", "query",
                       "latest", "--event-types", "a/b", "c/*"});
  CHECK(latest.connection.host == "h");
  CHECK(latest.connection.name == "n");
  CHECK(std::get<query_latest_params>(
          std::get<tool::query_command>(latest.command).params)
          .event_types
        == std::vector<event_type>{{"a", "b"}, {"c", "*"}});
  auto none = parse({"query", "latest", "--event-types"});
  CHECK(std::get<query_latest_params>(
          std::get<tool::query_command>(none.command).params)
          .event_types
        == std::vector<event_type>{});

  // The options the reference refuses whatever their value.
  auto ts = parse({"query", "timeseries", "--event-types", "a/*",
                   "--max-results", "2", "--order", "ASCENDING", "--order-by",
                   "SOURCE_TIMESTAMP", "--last-event-id", "1,5,1",
                   "--t-from", "1700000000.25", "--source-t-to", "-1.25"});
  auto& p = std::get<query_timeseries_params>(
    std::get<tool::query_command>(ts.command).params);
  CHECK(p.event_types == std::vector<event_type>{{"a", "*"}});
  CHECK(p.order == order::ascending);
  CHECK(p.order_by == order_by::source_timestamp);
  CHECK(p.last_event_id == event_id{1, 5, 1});
  CHECK(p.max_results == 2);
  CHECK(p.t_from == timestamp{1'700'000'000, 250'000});
  CHECK(p.source_t_to == timestamp{-2, 750'000});
  auto server = parse({"query", "server", "3", "--last-event-id", "3,1,1"});
  CHECK(std::get<query_server_params>(
          std::get<tool::query_command>(server.command).params)
        == query_server_params{3, false, std::nullopt, event_id{3, 1, 1}});

  auto sub = std::get<tool::subscribe_command>(
    parse({"subscribe", "a/*", "b", "--server-id", "2", "--persisted"})
      .command);
  CHECK(sub.types == std::vector<event_type>{{"a", "*"}, {"b"}});
  CHECK(sub.server_id == 2);
  CHECK(sub.persisted);

  // register's payload: JSON from standard input unless told otherwise,
  // a file's suffix choosing when --payload-type is not given.
  auto payload_of = [](std::vector<std::string_view> args) {
    args.insert(args.begin(), {"register", "a/b"});
    auto cmd = std::get<tool::register_command>(parse(args).command);
    CHECK_FALSE(cmd.with_response);
    return cmd.payload;
  };
  auto stdin_json = payload_of({});
  CHECK(stdin_json.format == tool::payload_format::json);
  CHECK(stdin_json.path == "-");
  CHECK(payload_of({"--payload-path", "p.yml"}).format
        == tool::payload_format::yaml);
  CHECK(payload_of({"--payload-path", "p.yaml"}).format
        == tool::payload_format::yaml);
  CHECK(payload_of({"--payload-path", "p.json"}).format
        == tool::payload_format::json);
  CHECK(payload_of({"--payload-path", "p.toml"}).format
        == tool::payload_format::toml);
  CHECK(payload_of({"--payload-type", "toml"}).format
        == tool::payload_format::toml);
  auto binary = payload_of({"--payload-path", "p.bin", "--binary-type", "t"});
  CHECK(binary.format == tool::payload_format::binary);
  CHECK(binary.binary_type == "t");
  CHECK(payload_of({"--payload-path", "p.json", "--payload-type", "binary"})
          .format
        == tool::payload_format::binary);
  CHECK(payload_of({"--payload-type", "none"}).format
        == tool::payload_format::none);
  CHECK(std::holds_alternative<tool::help_command>(
    parse({"query", "bogus", "--help"}).command));
}

TEST_CASE("hat-event-manager arguments: what is refused, and why") {
  CHECK(usage_error_of({}) == "an action (register, query, subscribe) is "
                              "needed");
  CHECK(usage_error_of({"fetch"}) == "unknown action 'fetch'");
  CHECK(usage_error_of({"server"})
        == "server: the manager's web UI server is not implemented (nor is "
           "it in the reference)");
  CHECK(usage_error_of({"--verbose", "query"}) == "unknown option '--verbose'");
  CHECK(usage_error_of({"query"})
        == "query: latest, timeseries or server is needed");
  CHECK(usage_error_of({"register"})
        == "register: EVENT_TYPE (or --file) is needed");
  CHECK(usage_error_of({"register", "a", "--file", "x"})
        == "register: --file excludes EVENT_TYPE, --source-timestamp and "
           "the payload options");
  CHECK(usage_error_of({"register", "--file", "x", "--payload-type", "none"})
        == "register: --file excludes EVENT_TYPE, --source-timestamp and "
           "the payload options");
  CHECK(usage_error_of({"register", "a", "--payload", "{"})
        == "--payload: Expecting property name enclosed in double quotes: "
           "line 1 column 2 (char 1)");
  CHECK(usage_error_of({"register", "a", "--payload", "1", "--payload-type",
                        "json"})
        == "register: --payload excludes --payload-type, --payload-path and "
           "--binary-type");
  CHECK(usage_error_of({"register", "a", "--payload-type", "xml"})
        == "--payload-type: expected json, yaml, toml, binary or none, got "
           "'xml'");
  CHECK(usage_error_of({"register", "a/?"})
        == "event type 'a/?' contains the reserved segment '?'");
  CHECK(usage_error_of({"register", "a", "b"}) == "unexpected argument 'b'");
  CHECK(usage_error_of({"register", "--"})
        == "register: EVENT_TYPE (or --file) is needed");
  CHECK(usage_error_of({"register", "--", "a", "--payload", "1"})
        == "unexpected argument '--payload'");
  CHECK(usage_error_of({"query", "latest", "*/a"}).find("'*'")
        != std::string::npos);
  CHECK(usage_error_of({"query", "timeseries", "--order", "up"})
        == "--order: expected DESCENDING or ASCENDING, got 'up'");
  CHECK(usage_error_of({"query", "timeseries", "--from"})
        == "--from needs a value");
  CHECK(usage_error_of({"query", "server"})
        == "query server: SERVER_ID is needed");
  CHECK(usage_error_of({"query", "server", "1", "--last-event-id", "1/2"})
        == "--last-event-id: expected SERVER,SESSION,INSTANCE, got '1/2'");
  CHECK(usage_error_of({"--port", "0", "query", "latest"})
        == "--port: expected an integer in [1, 65535], got '0'");
  CHECK(usage_error_of({"--dialect", "0.9", "query", "latest"})
        == "--dialect: expected current or v0.9.0, got '0.9'");
  CHECK(usage_error_of({"subscribe", "--count", "0"})
        == "--count: expected an integer of at least 1, got '0'");
  CHECK(usage_error_of({"subscribe", "--persisted=yes"})
        == "--persisted takes no value");
  CHECK(usage_error_of({"subscribe", "--timeout", "-1"})
        == "--timeout: expected a number of seconds above 0, got '-1'");
}

TEST_CASE("hat-event-manager: register --with-response, then query latest "
          "returns it") {
  test::server_harness harness;
  auto reg = run_tool(with_port(
    harness.port(), {"register", "tool/temperature", "--with-response",
                     "--payload", R"({"value": 21.5, "unit": "°C"})",
                     "--source-timestamp", "2023-11-14T22:13:20.5Z"}));
  REQUIRE(reg.code == 0);
  auto registered = printed_events(reg);
  REQUIRE(registered.size() == 1);
  CHECK(registered[0].id.server == 1);
  CHECK(registered[0].type == event_type{"tool", "temperature"});
  CHECK(registered[0].source_timestamp == timestamp{1'700'000'000, 500'000});
  CHECK(std::get<payload_json>(*registered[0].payload).text
        == R"({"value":21.5,"unit":"°C"})");

  auto query = run_tool(with_port(
    harness.port(), {"query", "latest", "--event-types", "tool/*"}));
  REQUIRE(query.code == 0);
  CHECK(printed_events(query) == registered);
  CHECK(document(query).at("more_follows") == false);
  // What the library sees is what the tool printed, and the payload went
  // out as json.dumps writes it, as the reference sends it.
  auto client = harness.connect("check");
  auto latest = client->query(query_latest_params{{{{"tool", "*"}}}});
  REQUIRE(latest.events.size() == 1);
  CHECK(client::event_to_json(latest.events[0])
        == document(query).at("events").at(0));
  CHECK(std::get<payload_json>(*latest.events[0].payload).text
        == R"({"value": 21.5, "unit": "\u00b0C"})");
}

TEST_CASE("hat-event-manager: register --file, from a file and standard "
          "input") {
  test::server_harness harness;
  auto file = write_file("events.json", R"([
    {"type": ["file", "json"], "payload": {"data_type": "json",
                                           "data": [1, "ü"]}},
    {"type": ["file", "binary"], "source_timestamp": {"s": -5, "us": 1},
     "payload": {"data_type": "binary", "binary_type": "raw",
                 "data": "00ff10"}},
    {"type": ["file", "none"]}
  ])");
  auto reg = run_tool(with_port(harness.port(),
                                {"register", "--file", file.string(),
                                 "--with-response"}));
  REQUIRE(reg.code == 0);
  auto events = printed_events(reg);
  REQUIRE(events.size() == 3);
  CHECK(events[1].payload
        == event_payload{
          payload_binary{"raw", std::string{"\x00\xff\x10", 3}}});
  CHECK(events[1].source_timestamp == timestamp{-5, 1});
  CHECK_FALSE(events[2].payload);

  // Query output registered again through standard input.
  auto query = run_tool(with_port(harness.port(),
                                  {"query", "latest", "file/*"}));
  REQUIRE(query.code == 0);
  auto again = run_tool(with_port(harness.port(),
                                  {"register", "--file", "-",
                                   "--with-response"}),
                        query.out[0]);
  REQUIRE(again.code == 0);
  auto copies = printed_events(again);
  REQUIRE(copies.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(copies[i].payload == events[i].payload);
    CHECK(copies[i].id != events[i].id);
  }

  auto bad = write_file("bad.json", R"([{"type": ["a"]},
    {"type": ["b"], "payload": {"data_type": "xml"}}])");
  auto refused = run_tool(with_port(harness.port(),
                                    {"register", "--file", bad.string()}));
  CHECK(refused.code == 1);
  CHECK(refused.err.find("[1].payload.data_type: expected")
        != std::string::npos);
  CHECK(refused.out.empty());
}

TEST_CASE("hat-event-manager: register prints nothing, exits 0 once the "
          "server has it") {
  test::server_harness harness;
  auto options = harness.options("watcher");
  options.subscriptions = {{"quiet", "*"}};
  auto watcher = test::subscribe(harness, options);
  auto reg = run_tool(with_port(harness.port(), {"register", "quiet/one",
                                                 "--payload-type", "none"}));
  CHECK(reg.code == 0);
  CHECK(reg.out.empty());
  CHECK(reg.err.empty());
  REQUIRE(watcher.events->wait_for_count(1, test::tool_bound));
  CHECK(watcher.events->items()[0].type == event_type{"quiet", "one"});
}

TEST_CASE("hat-event-manager: --dialect v0.9.0 talks to an older server") {
  auto conf = test::test_server_config();
  conf.eventer_server.dialect = eventer::dialect::v0_9_0;
  test::server_harness harness{conf};
  tool_process sub{with_port(harness.port(), {"--dialect", "v0.9.0",
                                              "subscribe", "old/*",
                                              "--count", "1"})};
  REQUIRE(sub.stderr_has("subscribed"));
  CHECK(sub.stderr_has("(server operational)", 0ms));
  auto reg = run_tool(with_port(harness.port(), {"--dialect", "v0.9.0",
                                                 "register", "old/x",
                                                 "--payload", "1"}));
  CHECK(reg.code == 0);
  CHECK(sub.finish() == 0);
  CHECK(sub.out_lines.items().size() == 1);
}

TEST_CASE("hat-event-manager: query timeseries selects and pages") {
  test::server_harness harness;
  auto client = harness.connect("writer");
  for (int i = 1; i <= 5; ++i)
    REQUIRE(client->register_with_response(
      {with_source({"page", std::to_string(i)}, {i * 1000, 0})}));
  REQUIRE(client->register_with_response(
    {with_source({"other"}, {3000, 0})}));

  auto page = [&](std::vector<std::string> extra) {
    std::vector<std::string> args{"query", "timeseries", "--event-types",
                                  "page/*", "--order", "ASCENDING",
                                  "--order-by", "SOURCE_TIMESTAMP",
                                  "--max-results", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto run = run_tool(with_port(harness.port(), args));
    REQUIRE(run.code == 0);
    return document(run);
  };
  auto first = page({});
  auto events = events_of(first);
  REQUIRE(events.size() == 2);
  CHECK(events[0].type == event_type{"page", "1"});
  CHECK(events[1].type == event_type{"page", "2"});
  CHECK(first.at("more_follows") == true);

  auto last_id = [](const event& e) {
    return std::to_string(e.id.server) + "," + std::to_string(e.id.session)
           + "," + std::to_string(e.id.instance);
  };
  auto second = page({"--last-event-id", last_id(events[1])});
  auto more = events_of(second);
  REQUIRE(more.size() == 2);
  CHECK(more[0].type == event_type{"page", "3"});
  auto third = page({"--last-event-id", last_id(more[1])});
  REQUIRE(events_of(third).size() == 1);
  CHECK(events_of(third)[0].type == event_type{"page", "5"});
  CHECK(third.at("more_follows") == false);

  // Our other names of the options, ISO-8601 times and lower case.
  auto range = run_tool(with_port(
    harness.port(), {"query", "timeseries", "--type", "page/*", "--type",
                     "other", "--source-from", "2000", "--source-to",
                     "1970-01-01T01:06:40Z", "--order-by",
                     "source_timestamp"}));
  REQUIRE(range.code == 0);
  auto in_range = printed_events(range);
  REQUIRE(in_range.size() == 4);
  // Descending by default: 4000, then 3000 (two of them), then 2000.
  CHECK(in_range[0].type == event_type{"page", "4"});
  CHECK(in_range[3].type == event_type{"page", "2"});
}

TEST_CASE("hat-event-manager: query server pages through one server's events") {
  test::server_harness harness;
  auto run = run_tool(with_port(harness.port(),
                                {"query", "server", "1", "--max-results",
                                 "1"}));
  REQUIRE(run.code == 0);
  auto events = printed_events(run);
  REQUIRE(events.size() == 1);
  CHECK(events[0].id.server == 1);
}

TEST_CASE("hat-event-manager: subscribe prints a line per notification, "
          "--count 2 ends it after two events") {
  test::server_harness harness;
  tool_process sub{with_port(harness.port(),
                             {"subscribe", "sub/*", "--count", "2",
                              "--timeout", "20"})};
  REQUIRE(sub.stderr_has("subscribed"));
  auto client = harness.connect("writer");
  auto first = client->register_with_response(
    {test::json_event({"sub", "one"}, "1")});
  REQUIRE(client->register_with_response(
    {test::json_event({"elsewhere"}, "0")}));
  auto second = client->register_with_response(
    {test::json_event({"sub", "two"}, "2"),
     test::json_event({"sub", "three"}, "3")});
  REQUIRE(first);
  REQUIRE(second);
  REQUIRE(sub.finish() == 0);
  auto lines = sub.out_lines.items();
  REQUIRE(lines.size() == 2);
  auto line_events = [](const std::string& line) {
    auto array = client::json_from_text(line);
    std::vector<event> events;
    for (auto& v : array.as_array())
      events.push_back(client::event_from_json(v));
    return events;
  };
  CHECK(line_events(lines[0]) == std::vector<event>{(*first)[0]});
  // The second notification had two events: the line stops at the count.
  CHECK(line_events(lines[1]) == std::vector<event>{(*second)[0]});
}

TEST_CASE("hat-event-manager: subscribe ends on timeout, signal or server "
          "exit") {
  test::server_harness harness;
  SUBCASE("a timeout without --count is a normal end") {
    auto run = run_tool(with_port(harness.port(),
                                  {"subscribe", "--timeout", "0.2"}));
    CHECK(run.code == 0);
  }
  SUBCASE("a timeout before --count events is a failure") {
    auto run = run_tool(with_port(harness.port(), {"subscribe", "none/*",
                                                   "--count", "3",
                                                   "--timeout", "0.2"}));
    CHECK(run.code == 1);
    CHECK(run.err.find("timeout after 0 of 3 events") != std::string::npos);
  }
  SUBCASE("SIGINT stops in order") {
    tool_process sub{with_port(harness.port(), {"subscribe"})};
    REQUIRE(sub.stderr_has("subscribed"));
    sub.signal(SIGINT);
    CHECK(sub.finish() == 0);
  }
  SUBCASE("the server going away is a normal end, as in the reference") {
    tool_process sub{with_port(harness.port(), {"subscribe", "x"})};
    REQUIRE(sub.stderr_has("subscribed"));
    REQUIRE(harness.shutdown());
    CHECK(sub.finish() == 0);
  }
  SUBCASE("the server going away before --count events is a failure") {
    tool_process sub{with_port(harness.port(), {"subscribe", "x", "--count",
                                                "5"})};
    REQUIRE(sub.stderr_has("subscribed"));
    REQUIRE(harness.shutdown());
    CHECK(sub.finish() == 1);
    CHECK(sub.stderr_has("hat-event-manager: error: the server closed the "
                         "connection after 0 of 5 events",
                         0ms));
  }
}

TEST_CASE("hat-event-manager: a refused connection or client is exit code 1") {
  SUBCASE("nothing listens") {
    closed_port closed;
    auto run = run_tool(with_port(closed.port, {"query", "latest"}));
    CHECK(run.code == 1);
    CHECK(run.err.find("cannot connect to 127.0.0.1:"
                       + std::to_string(closed.port))
          != std::string::npos);
    CHECK(run.out.empty());
  }
  SUBCASE("the server refuses the token, with its text") {
    auto conf = test::test_server_config();
    conf.server_token = "secret";
    test::server_harness harness{conf};
    auto run = run_tool(with_port(harness.port(), {"--token", "wrong",
                                                   "query", "latest"}));
    CHECK(run.code == 1);
    CHECK(run.err.find("refused the client: invalid client token")
          != std::string::npos);
    auto ok = run_tool(with_port(harness.port(), {"--token", "secret",
                                                  "query", "latest"}));
    CHECK(ok.code == 0);
  }
}

TEST_CASE("hat-event-manager: a server in standby refuses registration, "
          "exit 1 with --with-response") {
  test::standby_eventer server;
  REQUIRE(server.port != 0);
  auto run = run_tool(with_port(server.port, {"register", "x",
                                              "--with-response",
                                              "--payload-type", "none"}));
  CHECK(run.code == 1);
  CHECK(run.err.find("the server refused the registration (its status is "
                     "standby)")
        != std::string::npos);
  CHECK(run.out.empty());
  auto query = run_tool(with_port(server.port, {"query", "latest"}));
  CHECK(query.code == 0);
}

TEST_CASE("hat-event-manager: subscribe tells the server's status changes") {
  test::standby_eventer server;
  REQUIRE(server.port != 0);
  tool_process sub{with_port(server.port, {"subscribe"})};
  REQUIRE(sub.stderr_has("subscribed"));
  CHECK(sub.stderr_has("(server standby)", 0ms));
  // What the server's supervisor does when an engine starts.
  caf::anon_send(server.fanout, atom::status::value, status::starting,
                 engine_actor{});
  CHECK(sub.stderr_has("hat-event-manager: server status starting"));
  caf::anon_send(server.fanout, atom::status::value, status::standby,
                 engine_actor{});
  CHECK(sub.stderr_has("hat-event-manager: server status standby"));
  sub.signal(SIGINT);
  CHECK(sub.finish() == 0);
}

TEST_CASE("hat-event-manager: bad arguments print usage, exit code 2") {
  for (auto args : std::vector<std::vector<std::string>>{
         {},
         {"query", "sideways"},
         {"register"},
         {"subscribe", "--count", "many"},
         {"--bogus", "query", "latest"},
         {"--port", "abc", "query", "latest"},
         {"server"},
         {"register", "a", "--payload-type", "xml"},
         {"query", "timeseries", "--t-from", "yesterday"},
       }) {
    auto run = run_tool(args);
    CHECK(run.code == 2);
    CHECK(run.err.starts_with("usage: hat-event-manager"));
    // argparse's last line, one line and no traceback.
    CHECK(run.err.find("\nhat-event-manager: error: ") != std::string::npos);
    CHECK(run.err.ends_with("\n"));
    CHECK(run.out.empty());
  }
  auto help = run_tool({"--help"});
  CHECK(help.code == 0);
  REQUIRE_FALSE(help.out.empty());
  CHECK(help.out[0].starts_with("usage: hat-event-manager"));
  auto version = run_tool({"--version"});
  CHECK(version.code == 0);
}
