// The real hat-event-server executable: it starts from a configuration
// file, serves clients, stops in order on SIGTERM with exit code 0 (the
// engine's STOPPED event reaching subscribers first), and refuses a bad
// configuration with a message naming what is wrong.

#include <doctest/doctest.h>

#include <csignal>

#include "tests/server/server_process.hpp"

using namespace hat;
using namespace std::chrono_literals;


TEST_CASE("executable: serves, then stops in order on SIGTERM") {
  auto conf = test::write_config(
    "event.yaml", test::server_config_text(
                    "event-exe", 9, "{module: hat.event.backends.memory}"));
  test::server_process server{{"--conf", conf.string()}};
  auto port = server.wait_port();
  REQUIRE(port != 0);

  client::client_options opts;
  opts.port = port;
  opts.client_name = "watcher";
  opts.subscriptions = {{"event", "9", "engine"}};
  test::subscriber watcher;
  auto events = watcher.events;
  opts.on_events = [events](std::vector<event> batch) {
    for (auto& e : batch)
      events->push(std::move(e));
  };
  auto statuses = watcher.statuses;
  opts.on_status = [statuses](status s) { statuses->push(s); };
  watcher.client = client::eventer_client::connect(opts);
  // "listening on" comes before the engine runs: wait for operational.
  if (watcher.client->server_status() != status::operational)
    REQUIRE(statuses->wait_until([](auto& all) {
      return !all.empty() && all.back() == status::operational;
    }));
  auto registered = watcher.client->register_with_response(
    {test::json_event({"exe", "hello"})});
  REQUIRE(registered);
  CHECK((*registered)[0].id.server == 9);

  server.signal(SIGTERM);
  CHECK(events->wait_until([](auto& all) {
    for (auto& e : all)
      if (std::get<payload_json>(*e.payload).text == "\"STOPPED\"")
        return true;
    return false;
  }));
  CHECK(watcher.client->wait_closed(10s));
  auto code = server.wait_exit(10s);
  REQUIRE(code);
  CHECK(*code == 0);
}

TEST_CASE("executable: a bad configuration names the problem, exit code 2") {
  auto conf = test::write_config("bad.yaml", R"(
name: event-bad
server_id: 1
backend:
    module: no.such.backend
modules: []
eventer_server:
    host: 127.0.0.1
    port: 0
)");
  test::server_process server{{"--conf", conf.string()}};
  auto code = server.wait_exit(10s);
  REQUIRE(code);
  CHECK(*code == 2);
  CHECK(server.lines.wait_until([](auto& all) {
    for (auto& line : all)
      if (line.find("backend.module: unknown backend 'no.such.backend'")
          != std::string::npos)
        return true;
    return false;
  }));
}

TEST_CASE("executable: --help and --version") {
  test::server_process help{{"--help"}};
  CHECK(help.wait_exit(10s) == std::optional<int>{0});
  test::server_process unknown{{"--bogus"}};
  CHECK(unknown.wait_exit(10s) == std::optional<int>{2});
}
