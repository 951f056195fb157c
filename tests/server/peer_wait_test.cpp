// The wait of spec redundancy.md §2.4: a blessed server starts its engine
// only while no peer is starting, operational or stopping, and not before
// every listed peer answered its init or failed a connect (the
// reference's start-up race). 0.9.0's redundancy instead: no wait, the
// synced state a boolean registered locally only, and
// synced_restart_engine. B is the monitored server (the monitor double's
// component 0), A a standalone peer reached over real TCP.

#include <doctest/doctest.h>

#include <algorithm>

#include "tests/server/monitor_double.hpp"

using namespace hat;

namespace {

constexpr int64_t peer_id = 2;
constexpr int64_t token = 7;

config::server_config monitored_config(uint16_t monitor_port,
                                       eventer::dialect dialect) {
  auto conf = test::test_server_config(1);
  conf.name = "event-1";
  conf.sync_retry_delay = 0.05;
  conf.eventer_server.dialect = dialect;
  conf.monitor_component = config::monitor_component_config{
    {"127.0.0.1", monitor_port}, "event"};
  return conf;
}

config::server_config peer_config(eventer::dialect dialect) {
  auto conf = test::test_server_config(peer_id);
  conf.eventer_server.dialect = dialect;
  return conf;
}

/// Blesses B: requested, B's answer awaited, then echoed (the engine may
/// start only after the echo) in the state that first lists A at `port`.
bool bless_with_peer(test::monitor_double& monitor, uint16_t port) {
  auto peer = test::event_member(2, "event-2", "event", peer_id, port);
  test::list_with(monitor, 0, {}, token);
  if (!monitor.clients(0).wait_until([](auto& items) {
        return items.back().blessing_res.token == token;
      }))
    return false;
  test::list_with(monitor, 0, {peer}, token);
  return true;
}

test::subscriber watch(test::server_harness& server, event_type type,
                       eventer::dialect dialect) {
  auto opts = server.options("watcher");
  opts.subscriptions = {std::move(type)};
  opts.dialect = dialect;
  return test::subscribe(server, opts);
}

/// Whether `sub` saw an event whose JSON payload contains `text`.
bool saw_payload(test::subscriber& sub, const std::string& text) {
  return sub.events->wait_until([&](auto& items) {
    return std::any_of(items.begin(), items.end(), [&](const event& e) {
      auto* json = std::get_if<payload_json>(&*e.payload);
      return json && json->text.find(text) != std::string::npos;
    });
  });
}

bool last_status_is(test::subscriber& sub, status wanted) {
  return sub.statuses->wait_until([wanted](auto& items) {
    return !items.empty() && items.back() == wanted;
  });
}

}  // namespace

TEST_CASE("peer wait: blessed while a peer is operational, a server stays "
          "standby, even blessed in its first state, and starts when the "
          "peer goes") {
  const auto dialect = eventer::dialect::current;
  auto a = std::make_unique<test::server_harness>(peer_config(dialect));
  auto synced = watch(*a, {"event", "1", "synced", "2"}, dialect);
  test::monitor_double monitor;
  test::server_harness b{monitored_config(monitor.port(), dialect), {},
                         false};
  auto b_sub = watch(b, {"nothing"}, dialect);
  REQUIRE(monitor.wait_connections(1));
  REQUIRE(monitor.clients(0).wait_for_count(1));
  // Blessed in the state that first lists A: before its sync client can
  // have heard anything from A.
  REQUIRE(bless_with_peer(monitor, a->port()));

  // B's sync client is past its catch-up: B has long decided, and waits.
  REQUIRE(saw_payload(synced, "SYNCED"));
  CHECK(b.connect("reader")->server_status() == status::standby);
  auto told = b_sub.statuses->items();
  CHECK(std::count(told.begin(), told.end(), status::starting) == 0);

  // A goes: its connection drops, no peer is active, B starts.
  synced.client.reset();
  a.reset();
  CHECK(last_status_is(b_sub, status::operational));
}

TEST_CASE("peer wait: a peer that cannot be reached does not hold a "
          "blessed server back") {
  const auto dialect = eventer::dialect::current;
  test::closed_port nobody;
  test::monitor_double monitor;
  test::server_harness b{monitored_config(monitor.port(), dialect), {},
                         false};
  auto b_sub = watch(b, {"nothing"}, dialect);
  REQUIRE(monitor.wait_connections(1));
  REQUIRE(monitor.clients(0).wait_for_count(1));
  REQUIRE(bless_with_peer(monitor, nobody.port));
  CHECK(last_status_is(b_sub, status::operational));
}

TEST_CASE("peer wait: 0.9.0 servers do not wait, and their synced state is "
          "a boolean registered locally only") {
  const auto dialect = eventer::dialect::v0_9_0;
  test::server_harness a{peer_config(dialect)};
  test::monitor_double monitor;
  test::server_harness b{monitored_config(monitor.port(), dialect), {},
                         false};
  auto on_b = watch(b, {"event", "1", "synced", "*"}, dialect);
  REQUIRE(monitor.wait_connections(1));
  REQUIRE(monitor.clients(0).wait_for_count(1));
  REQUIRE(bless_with_peer(monitor, a.port()));
  // Operational next to an operational peer, as 0.9.0 runs BLESS_ALL.
  REQUIRE(last_status_is(on_b, status::operational));

  // A peer listed while B's engine runs: false once connected, then
  // true once synced, in B; nothing in C.
  auto c_conf = peer_config(dialect);
  c_conf.server_id = 3;
  test::server_harness c{c_conf};
  auto on_c = watch(c, {"event", "1", "synced", "*"}, dialect);
  test::list_with(monitor, 0,
                  {test::event_member(2, "event-2", "event", peer_id,
                                      a.port()),
                   test::event_member(3, "event-3", "event", 3, c.port())},
                  token);
  auto payloads_of_c = [](const std::vector<event>& items) {
    std::vector<std::string> seen;
    for (auto& e : items)
      if (e.type.back() == "3")
        seen.push_back(std::get<payload_json>(*e.payload).text);
    return seen;
  };
  REQUIRE(on_b.events->wait_until([&](auto& items) {
    auto seen = payloads_of_c(items);
    return !seen.empty() && seen.back() == "true";
  }));
  CHECK(payloads_of_c(on_b.events->items())
        == std::vector<std::string>{"false", "true"});
  // B's CONNECTED went out long before its local true: C would hold it.
  query_latest_params latest;
  latest.event_types = std::vector<event_type>{{"event", "1", "synced", "*"}};
  auto reader_opts = c.options("reader");
  reader_opts.dialect = dialect;
  auto reader = client::eventer_client::connect(reader_opts);
  CHECK(reader->query(query_params{latest}).events.empty());
  CHECK(on_c.events->items().empty());
}

TEST_CASE("peer wait: synced_restart_engine restarts the engine when a "
          "catch-up copied events") {
  const auto dialect = eventer::dialect::v0_9_0;
  test::server_harness a{peer_config(dialect)};
  auto producer_opts = a.options("producer");
  producer_opts.dialect = dialect;
  auto producer = client::eventer_client::connect(producer_opts);
  REQUIRE(producer->register_with_response({test::json_event({"copied"})}));
  test::monitor_double monitor;
  auto conf = monitored_config(monitor.port(), dialect);
  conf.synced_restart_engine = true;
  test::server_harness b{conf, {}, false};
  auto b_sub = watch(b, {"event", "1", "engine"}, dialect);
  REQUIRE(monitor.wait_connections(1));
  REQUIRE(monitor.clients(0).wait_for_count(1));
  // Blessed alone first, so the engine runs when the sync ends.
  test::list_with(monitor, 0, {}, token);
  REQUIRE(monitor.clients(0).wait_until([](auto& items) {
    return items.back().blessing_res.token == token;
  }));
  test::list_with(monitor, 0, {}, token);
  REQUIRE(last_status_is(b_sub, status::operational));
  REQUIRE(bless_with_peer(monitor, a.port()));

  // STARTED, STOPPED, STARTED: a second engine runs.
  CHECK(b_sub.events->wait_until([](auto& items) {
    return std::count_if(items.begin(), items.end(), [](const event& e) {
             auto* json = std::get_if<payload_json>(&*e.payload);
             return json && json->text == "\"STARTED\"";
           })
           >= 2;
  }));
  CHECK(last_status_is(b_sub, status::operational));
}
