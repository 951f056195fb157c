// Modules in the real hat-event-server executable: the out-of-tree
// example module, built against the installed package by the
// example_module_build test, loaded by path; a built-in module named in
// the configuration; and modules the server must refuse to start with.

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include "tests/server/server_harness.hpp"
#include "tests/server/server_process.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

std::string config_with_modules(const std::string& modules) {
  return test::server_config_text("event-modules", 5, "{module: memory}",
                                  "\n" + modules);
}

/// A client that records every status it is told; built once the
/// engine runs (a client may connect before it does).
struct watched {
  std::shared_ptr<test::inbox<status>> statuses =
    std::make_shared<test::inbox<status>>();
  std::unique_ptr<client::eventer_client> client;

  explicit watched(uint16_t port) {
    client::client_options opts;
    opts.port = port;
    opts.client_name = "fault-watcher";
    auto s = statuses;
    opts.on_status = [s](status st) { s->push(st); };
    client = client::eventer_client::connect(opts);
    REQUIRE(client);
    if (client->server_status() != status::operational)
      REQUIRE(wait_status_after(0, status::operational));
  }

  /// Waits until a status `wanted` arrives after the first `seen`.
  bool wait_status_after(size_t seen, status wanted) {
    return statuses->wait_until([&](auto& all) {
      for (size_t i = seen; i < all.size(); ++i)
        if (all[i] == wanted)
          return true;
      return false;
    });
  }
};

/// The newest event of `type`, from a latest query.
std::optional<event> latest(client::eventer_client& c, event_type type) {
  auto result = c.query(query_latest_params{std::vector<event_type>{type}});
  if (result.events.empty())
    return std::nullopt;
  return result.events.front();
}

}  // namespace

TEST_CASE("module server: the out-of-tree example module, loaded by path, "
          "stamps a client's events in the same session") {
  auto conf = test::write_config(
    "example-module.yaml",
    config_with_modules("    - module: " HAT_EXAMPLE_MODULE "\n"
                        "      subscriptions: [[sensor, '*']]\n"));
  test::server_process server{{"--conf", conf.string()}};
  auto port = server.wait_port();
  REQUIRE(port != 0);
  watched w{port};
  auto& c = w.client;

  auto registered =
    c->register_with_response({test::json_event({"sensor", "t"}, "{\"v\":1}")});
  REQUIRE(registered);
  // Only the caller's own event comes back.
  REQUIRE(registered->size() == 1);
  auto own = (*registered)[0];

  auto stamped = latest(*c, {"example", "stamped", "sensor", "t"});
  REQUIRE(stamped);
  CHECK(stamped->id ==
        event_id{5, own.id.session, own.id.instance + 1});
  CHECK(stamped->timestamp == own.timestamp);
  auto payload = boost::json::parse(
    std::get<payload_json>(*stamped->payload).text);
  CHECK(payload.at("source_type") == "eventer");
  CHECK(payload.at("original") == boost::json::parse("{\"v\":1}"));

  // Types outside the subscription are left alone.
  REQUIRE(c->register_with_response({test::json_event({"other"})}));
  CHECK_FALSE(latest(*c, {"example", "stamped", "other"}));
}

TEST_CASE("module server: a built-in module by name copies events") {
  auto conf = test::write_config(
    "copy-module.yaml",
    config_with_modules("    - module: copy\n"
                        "      subscriptions: [[plant, '*']]\n"
                        "      from: [plant]\n"
                        "      to: [mirror]\n"));
  test::server_process server{{"--conf", conf.string()}};
  auto port = server.wait_port();
  REQUIRE(port != 0);
  watched w{port};
  auto& c = w.client;
  REQUIRE(c->register_with_response(
    {test::json_event({"plant", "pump", "state"}, "\"on\"")}));
  auto copied = latest(*c, {"mirror", "pump", "state"});
  REQUIRE(copied);
  CHECK(std::get<payload_json>(*copied->payload).text == "\"on\"");
}

TEST_CASE("module server: modules that cannot run refuse the start, "
          "naming the module") {
  struct refusal {
    std::string modules;
    std::string message;
    int code;
  };
  std::vector<refusal> cases{
    {"    - module: /no/such/libmodule.so\n",
     "modules[0] '/no/such/libmodule.so'", 2},
    {"    - module: copy\n      subscriptions: [[a]]\n      from: [a]\n",
     "modules[0] 'copy': invalid configuration: modules[0]", 2},
    {"    - module: " HAT_THROWING_PLUGIN "\n",
     "injected constructor failure", 1},
  };
  for (auto& c : cases) {
    INFO(c.modules);
    auto conf = test::write_config("refused.yaml",
                                   config_with_modules(c.modules));
    test::server_process server{{"--conf", conf.string()}};
    auto code = server.wait_exit(20s);
    REQUIRE(code);
    CHECK(*code == c.code);
    CHECK(server.logged(c.message));
  }
}

TEST_CASE("module server: a module that throws drops the session and the "
          "engine restarts") {
  auto conf = test::write_config(
    "faulty-module.yaml",
    config_with_modules("    - module: " HAT_FAULTY_PLUGIN "\n"));
  test::server_process server{{"--conf", conf.string()}};
  auto port = server.wait_port();
  REQUIRE(port != 0);
  watched w{port};
  auto before = latest(*w.client, {"event", "5", "engine"});
  REQUIRE(before);

  auto seen = w.statuses->items().size();
  auto failed =
    w.client->register_with_response({test::json_event({"fault", "throw"})});
  CHECK_FALSE(failed);
  // Stopping, standby, then a new engine: operational again.
  REQUIRE(w.wait_status_after(seen, status::standby));
  REQUIRE(w.wait_status_after(seen, status::operational));
  CHECK(server.logged("injected fault in process"));
  // Nothing of the dropped session was stored; the new engine's STARTED
  // is the newest engine event.
  CHECK_FALSE(latest(*w.client, {"fault", "throw"}));
  auto after = latest(*w.client, {"event", "5", "engine"});
  REQUIRE(after);
  CHECK(std::get<payload_json>(*after->payload).text == "\"STARTED\"");
  CHECK(after->id.session > before->id.session + 1);  // STOPPED between
  // And it registers again.
  auto ok = w.client->register_with_response({test::json_event({"fault", "ok"})});
  REQUIRE(ok);
  CHECK(ok->size() == 1);
}

TEST_CASE("module server: a module's restart request restarts the engine "
          "after its session") {
  auto conf = test::write_config(
    "restart-module.yaml",
    config_with_modules("    - module: " HAT_FAULTY_PLUGIN "\n"));
  test::server_process server{{"--conf", conf.string()}};
  auto port = server.wait_port();
  REQUIRE(port != 0);
  watched w{port};
  auto seen = w.statuses->items().size();
  auto registered = w.client->register_with_response(
    {test::json_event({"fault", "restart"})});
  // The session that asked is stored; then the engine restarts.
  REQUIRE(registered);
  REQUIRE(w.wait_status_after(seen, status::standby));
  REQUIRE(w.wait_status_after(seen, status::operational));
  CHECK(latest(*w.client, {"fault", "restart"}));
  CHECK(server.logged("restarting the engine"));
}
