// The standalone server over real TCP on 127.0.0.1, driven by the client
// library: handshake, registration, the server's own events, notifications
// and queries, as hat-event 0.9 clients see them.

#include <doctest/doctest.h>

#include "tests/actors/recording_backend.hpp"
#include "tests/server/server_harness.hpp"

using namespace hat;
using namespace std::chrono_literals;
using test::json_event;

namespace {

std::string json_text(const event& e) {
  return std::get<payload_json>(*e.payload).text;
}

bool has_type(const std::vector<event>& events, const event_type& type,
              std::string_view json) {
  for (auto& e : events)
    if (e.type == type && json_text(e) == json)
      return true;
  return false;
}

}  // namespace

TEST_CASE("server: a client connects and sees the server operational") {
  test::server_harness harness;
  auto client = harness.connect("plain");
  CHECK(client->server_status() == status::operational);
  CHECK(client->is_open());
}

TEST_CASE("server: client tokens are checked against server_token") {
  auto conf = test::test_server_config();
  conf.server_token = "secret";
  test::server_harness harness{conf};

  auto opts = harness.options("no-token");
  CHECK_NOTHROW(client::eventer_client::connect(opts));

  opts.client_token = "secret";
  CHECK_NOTHROW(client::eventer_client::connect(opts));

  opts.client_token = "wrong";
  try {
    client::eventer_client::connect(opts);
    FAIL("a wrong token was accepted");
  } catch (const client::client_error& e) {
    CHECK(std::string{e.what()}.find("invalid client token")
          != std::string::npos);
  }
}

TEST_CASE("server: register with response returns the session in order") {
  test::server_harness harness{test::test_server_config(3)};
  auto client = harness.connect("registrar");
  std::vector<register_event> request{json_event({"a", "1"}, "1"),
                                      json_event({"a", "2"}, "2"),
                                      json_event({"b"}, "3")};
  request[1].source_timestamp = timestamp{100, 5};
  auto events = client->register_with_response(request);
  REQUIRE(events);
  REQUIRE(events->size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK((*events)[i].type == request[i].type);
    CHECK((*events)[i].payload == request[i].payload);
    CHECK((*events)[i].id.server == 3);
    CHECK((*events)[i].id.instance == static_cast<int64_t>(i + 1));
    CHECK((*events)[i].id.session == (*events)[0].id.session);
    CHECK((*events)[i].timestamp == (*events)[0].timestamp);
  }
  CHECK((*events)[1].source_timestamp == timestamp{100, 5});
  // The next session follows.
  auto next = client->register_with_response({json_event({"c"})});
  REQUIRE(next);
  CHECK((*next)[0].id.session == (*events)[0].id.session + 1);
}

TEST_CASE("server: register without response, then a query sees it") {
  test::server_harness harness;
  auto client = harness.connect("fire-and-forget");
  for (int i = 0; i < 20; ++i)
    client->register_events({json_event({"ff", std::to_string(i)})});
  auto result = client->query(query_latest_params{
    std::vector<event_type>{{"ff", "*"}}});
  CHECK(result.events.size() == 20);
}

TEST_CASE("server: engine and eventer events are registered") {
  test::server_harness harness{test::test_server_config(5)};
  auto watcher = test::subscribe(
    harness, [&] {
      auto opts = harness.options("watcher");
      opts.subscriptions = {{"event", "*"}};
      return opts;
    }());
  auto engine_events = watcher.client->query(query_latest_params{
    std::vector<event_type>{{"event", "5", "engine"}}});
  REQUIRE(engine_events.events.size() == 1);
  CHECK(json_text(engine_events.events[0]) == "\"STARTED\"");

  {
    auto other = harness.connect("other/client");
    CHECK(watcher.events->wait_until([](auto& events) {
      return has_type(events, {"event", "5", "eventer", "other/client"},
                      "\"CONNECTED\"");
    }));
  }
  CHECK(watcher.events->wait_until([](auto& events) {
    return has_type(events, {"event", "5", "eventer", "other/client"},
                    "\"DISCONNECTED\"");
  }));
  // A client is not told of its own arrival.
  for (auto& e : watcher.events->items())
    CHECK(e.type != event_type{"event", "5", "eventer", "watcher"});
}

TEST_CASE("server: notifications follow subscription, server id, persisted") {
  test::server_harness harness{test::test_server_config(1)};
  auto subscribe = [&](std::string name, std::vector<event_type> types,
                       std::optional<int64_t> server_id, bool persisted) {
    auto opts = harness.options(std::move(name));
    opts.subscriptions = std::move(types);
    opts.server_id = server_id;
    opts.persisted = persisted;
    return test::subscribe(harness, opts);
  };
  auto a = subscribe("a", {{"a", "*"}}, std::nullopt, false);
  auto b = subscribe("b", {{"b", "?"}}, std::nullopt, false);
  auto other_server = subscribe("s2", {{"*"}}, 2, false);
  auto persisted = subscribe("p", {{"a", "*"}}, std::nullopt, true);

  auto producer = harness.connect("producer");
  REQUIRE(producer->register_with_response(
    {json_event({"a", "x"}), json_event({"b", "y"}), json_event({"b", "y", "z"}),
     json_event({"c"})}));
  // A marker session: once every subscriber that wants it has it, the
  // earlier session has been delivered too (one fan-out, in order).
  REQUIRE(producer->register_with_response(
    {json_event({"a", "end"}), json_event({"b", "end"})}));

  REQUIRE(a.events->wait_for_count(2));
  REQUIRE(b.events->wait_for_count(2));
  REQUIRE(persisted.events->wait_for_count(2));
  auto types_of = [](test::inbox<event>& inbox) {
    std::vector<event_type> types;
    for (auto& e : inbox.items())
      types.push_back(e.type);
    return types;
  };
  CHECK(types_of(*a.events)
        == std::vector<event_type>{{"a", "x"}, {"a", "end"}});
  CHECK(types_of(*b.events)
        == std::vector<event_type>{{"b", "y"}, {"b", "end"}});
  CHECK(types_of(*persisted.events)
        == std::vector<event_type>{{"a", "x"}, {"a", "end"}});
  // Server 2 registered nothing: that subscriber heard nothing, even of the
  // CONNECTED events of later clients.
  auto probe = subscribe("probe", {{"*"}}, std::nullopt, false);
  REQUIRE(producer->register_with_response({json_event({"z"})}));
  REQUIRE(probe.events->wait_until(
    [](auto& events) { return has_type(events, {"z"}, "null"); }));
  CHECK(other_server.events->items().empty());
}

TEST_CASE("server: latest, timeseries and server queries with paging") {
  test::server_harness harness{test::test_server_config(1)};
  auto client = harness.connect("querier");
  for (int i = 0; i < 10; ++i) {
    auto e = json_event({"q", std::to_string(i % 3)}, std::to_string(i));
    e.source_timestamp = timestamp{1000 + i, 0};
    REQUIRE(client->register_with_response({e}));
  }

  auto latest = client->query(
    query_latest_params{std::vector<event_type>{{"q", "?"}}});
  CHECK(latest.events.size() == 3);
  CHECK_FALSE(latest.more_follows);

  // Timeseries, ascending by source timestamp, pages of 4.
  std::vector<std::string> seen;
  std::optional<event_id> last;
  for (int page = 0; page < 5; ++page) {
    query_timeseries_params params;
    params.event_types = std::vector<event_type>{{"q", "*"}};
    params.order = order::ascending;
    params.order_by = order_by::source_timestamp;
    params.max_results = 4;
    params.last_event_id = last;
    auto result = client->query(params);
    for (auto& e : result.events)
      seen.push_back(json_text(e));
    if (!result.more_follows)
      break;
    last = result.events.back().id;
  }
  CHECK(seen
        == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7",
                                    "8", "9"});

  // Server query: everything of server 1 in id order, in pages of 3.
  std::vector<event_id> ids;
  std::optional<event_id> after;
  for (int page = 0; page < 10; ++page) {
    auto result = client->query(query_server_params{1, false, 3, after});
    for (auto& e : result.events)
      ids.push_back(e.id);
    if (!result.more_follows)
      break;
    after = result.events.back().id;
  }
  REQUIRE(ids.size() >= 12);  // STARTED, CONNECTED and the ten
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
}

TEST_CASE("server: a failing backend ends in a clean stop, not a hang") {
  auto backend = std::make_shared<test::recording_backend>();
  test::server_harness harness{test::test_server_config(), backend};
  auto client = harness.connect("victim");
  backend->fail_on_register = true;
  auto reply = client->register_with_response({json_event({"boom"})});
  // The reply may come before the store fails; the server stops either way.
  (void) reply;
  auto reason = harness.wait_stopped(10s);
  REQUIRE(reason);
  CHECK(*reason);
  CHECK(client->wait_closed(5s));
}

TEST_CASE("server: the v0.9.0 dialect serves hat-event 0.9.0 clients") {
  auto conf = test::test_server_config();
  conf.eventer_server.dialect = eventer::dialect::v0_9_0;
  test::server_harness harness{conf};
  auto opts = harness.options("legacy");
  opts.dialect = eventer::dialect::v0_9_0;
  auto client = client::eventer_client::connect(opts);
  // Operational is Choice index 1 in that dialect, 2 in the current one.
  CHECK(client->server_status() == status::operational);
  auto events = client->register_with_response({json_event({"legacy"})});
  REQUIRE(events);
  CHECK(events->size() == 1);

  auto current = harness.options("current-client");
  auto mismatched = client::eventer_client::connect(current);
  CHECK(mismatched->server_status() == status::starting);
}
