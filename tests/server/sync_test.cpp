// Synchronisation with a peer: a monitored server (B) learns of a peer
// (A, a standalone server here, reached over real TCP) from the monitor
// double's component list, copies A's persisted events by catch-up and
// then live, registers its synced states on A, keeps them across a drop
// of the connection, and ignores members of another group or token and
// members with its own server id.

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "protocol/monitor_data.hpp"
#include "tests/server/monitor_double.hpp"
#include "tests/temp_dir.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

constexpr int64_t peer_id = 2;

config::server_config monitored_config(uint16_t monitor_port) {
  auto conf = test::test_server_config(1);
  conf.name = "event-1";
  conf.sync_retry_delay = 0.05;
  conf.monitor_component = config::monitor_component_config{
    {"127.0.0.1", monitor_port}, "event"};
  return conf;
}

/// A's persisted events of its own server id, in id order.
std::vector<event> server_events(client::eventer_client& client) {
  query_server_params params;
  params.server_id = peer_id;
  params.persisted = true;
  return client.query(query_params{params}).events;
}

/// A client of B notified of every event B stores for server `peer_id`.
test::subscriber watch_peer_events(test::server_harness& b) {
  auto opts = b.options("watcher");
  opts.subscriptions = {{"*"}};
  opts.server_id = peer_id;
  return test::subscribe(b, opts);
}

/// Waits until `sub` was told its server is operational.
bool operational(test::subscriber& sub) {
  return sub.statuses->wait_until([](auto& items) {
    return !items.empty() && items.back() == status::operational;
  });
}

bool holds(test::subscriber& sub, const event_type& type) {
  return sub.events->wait_until([&](auto& items) {
    return std::any_of(items.begin(), items.end(),
                       [&](const event& e) { return e.type == type; });
  });
}

}  // namespace

TEST_CASE("sync: a standby server copies a peer's events by catch-up, then "
          "live, and tells the peer its synced state") {
  test::server_harness a{test::test_server_config(peer_id)};
  auto producer = a.connect("producer");
  for (int i = 0; i < 5; ++i)
    REQUIRE(producer->register_with_response(
      {test::json_event({"before", std::to_string(i)}),
       test::json_event({"before", std::to_string(i), "second"})}));

  test::monitor_double monitor;
  test::server_harness b{monitored_config(monitor.port()), {}, false};
  auto watcher = watch_peer_events(b);
  REQUIRE(monitor.wait_connections(1));
  REQUIRE(monitor.clients(0).wait_for_count(1));
  test::list_with(monitor, 0, {test::event_member(2, "event-2", "event",
                                                 peer_id, a.port())});

  REQUIRE(holds(watcher, {"before", "4", "second"}));
  auto b_client = b.connect("reader");
  auto a_client = a.connect("reader");
  // Catch-up: what B holds of A is what A persisted, ids and all.
  auto copied = server_events(*b_client);
  auto original = server_events(*a_client);
  REQUIRE(copied.size() >= 10);
  CHECK(std::equal(copied.begin(), copied.end(), original.begin()));
  CHECK(b_client->server_status() == status::standby);

  // Live: a new event of A reaches B without a new connection.
  REQUIRE(producer->register_with_response({test::json_event({"after"})}));
  REQUIRE(holds(watcher, {"after"}));

  // A (operational) registered B's synced states, SYNCED last.
  query_latest_params latest;
  latest.event_types = std::vector<event_type>{{"event", "1", "synced", "2"}};
  auto synced = a_client->query(query_params{latest}).events;
  REQUIRE(synced.size() == 1);
  auto* payload = std::get_if<payload_json>(&*synced[0].payload);
  REQUIRE(payload);
  CHECK(payload->text.find("\"state\": \"SYNCED\"") != std::string::npos);
}

TEST_CASE("sync: a peer that comes up later is connected to, and after "
          "its restart what it stored meanwhile is caught up") {
  test::temp_dir dir;
  auto a_conf = test::test_lmdb_server_config(peer_id, dir.path / "a.db");
  auto reserved = std::make_unique<test::closed_port>();
  a_conf.eventer_server.addr.port = reserved->port;
  test::monitor_double monitor;
  test::server_harness b{monitored_config(monitor.port()), {}, false};
  auto watcher = watch_peer_events(b);
  REQUIRE(monitor.wait_connections(1));
  REQUIRE(monitor.clients(0).wait_for_count(1));
  test::list_with(monitor, 0, {test::event_member(2, "event-2", "event",
                                                 peer_id, reserved->port)});

  // Nobody listens yet: B retries every 50 ms until A is up.
  reserved.reset();
  auto a = std::make_unique<test::server_harness>(a_conf);
  auto producer = a->connect("producer");
  REQUIRE(producer->register_with_response({test::json_event({"first"})}));
  REQUIRE(holds(watcher, {"first"}));

  // A stops; what it stores while B is not connected comes by catch-up.
  producer.reset();
  REQUIRE(a->shutdown());
  a = std::make_unique<test::server_harness>(a_conf);
  producer = a->connect("producer");
  REQUIRE(producer->register_with_response(
    {test::json_event({"second", "life"})}));
  REQUIRE(holds(watcher, {"second", "life"}));
  // Nothing twice: every id B was notified of is new.
  auto seen = watcher.events->items();
  std::vector<event_id> ids;
  for (auto& e : seen)
    ids.push_back(e.id);
  std::sort(ids.begin(), ids.end());
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
}

TEST_CASE("sync: members of another group, with another token or with our "
          "own server id are not synchronised with") {
  auto a_conf = test::test_server_config(peer_id);
  a_conf.server_token = "secret";
  test::server_harness a{a_conf};
  // Every connection of B's sync client to A registers its CONNECTED.
  auto a_opts = a.options("watcher");
  a_opts.subscriptions = {{"event", "2", "eventer", "*"}};
  auto connections = test::subscribe(a, a_opts);
  test::monitor_double monitor;
  auto conf = monitored_config(monitor.port());
  conf.server_token = "secret";
  test::server_harness b{conf, {}, false};
  REQUIRE(monitor.wait_connections(1));
  REQUIRE(monitor.clients(0).wait_for_count(1));
  // All at A's address, each under another server id: a sync client to
  // any of them would show on A.
  test::list_with(
    monitor, 0,
    {test::event_member(2, "other-group", "other", 3, a.port(), "secret"),
     test::event_member(3, "other-token", "event", 4, a.port(), "wrong"),
     test::event_member(4, "no-token", "event", 5, a.port()),
     test::event_member(5, "same-id", "event", 1, a.port(), "secret")});
  // Our own server id in the group: B gives its blessing up (not ready).
  REQUIRE(monitor.clients(0).wait_until([](auto& items) {
    return !items.back().blessing_res.ready;
  }));

  // A valid member now: its sync client is the only one A sees.
  auto synced_opts = a.options("synced-watcher");
  synced_opts.subscriptions = {{"event", "1", "synced", "*"}};
  auto synced = test::subscribe(a, synced_opts);
  test::list_with(monitor, 0, {test::event_member(6, "event-2", "event",
                                                 peer_id, a.port(), "secret")});
  CHECK(monitor.clients(0).wait_until(
    [](auto& items) { return items.back().blessing_res.ready; }));
  REQUIRE(synced.events->wait_until([](auto& items) {
    return std::any_of(items.begin(), items.end(), [](const event& e) {
      return std::get<payload_json>(*e.payload).text.find("SYNCED")
             != std::string::npos;
    });
  }));
  // The watcher is another connection of A's: its notification of the
  // CONNECTED may come after the synced watcher's SYNCED.
  auto connected_count = [](const std::vector<event>& items) {
    return std::count_if(items.begin(), items.end(), [](const event& e) {
      return e.type.back() == "event/event-1"
             && std::get<payload_json>(*e.payload).text == "\"CONNECTED\"";
    });
  };
  CHECK(connections.events->wait_until(
    [&](auto& items) { return connected_count(items) >= 1; }));
  CHECK(connected_count(connections.events->items()) == 1);
}

TEST_CASE("sync: hand-over by a ready reset loses nothing the old holder "
          "answered as registered") {
  // The new holder waits until it saw the old one's STANDBY, which
  // follows the old holder's last events on the sync connection (§2.4).
  test::temp_dir dir;
  test::monitor_double monitor;
  auto a_conf = test::test_lmdb_server_config(1, dir.path / "a.db");
  a_conf.name = "event-a";
  a_conf.sync_retry_delay = 0.05;
  a_conf.monitor_component = config::monitor_component_config{
    {"127.0.0.1", monitor.port()}, "event"};
  auto b_conf = test::test_lmdb_server_config(2, dir.path / "b.db");
  b_conf.name = "event-b";
  b_conf.sync_retry_delay = 0.05;
  b_conf.monitor_component = a_conf.monitor_component;
  test::server_harness a{a_conf, {}, false};
  REQUIRE(monitor.wait_connections(1));
  test::server_harness b{b_conf, {}, false};
  REQUIRE(monitor.wait_connections(2));
  REQUIRE(monitor.clients(0).wait_for_count(1));
  REQUIRE(monitor.clients(1).wait_for_count(1));

  // The test's BLESS_ONE: both listed, `holder` asked with `token`.
  auto tell = [&](size_t holder, int64_t token) {
    test::tell_members(monitor, {0, 1}, {{holder, token}});
  };
  auto answered = [&](size_t i, std::optional<int64_t> token) {
    return monitor.clients(i).wait_until([&](auto& items) {
      return items.back().blessing_res.token == token;
    });
  };
  auto copies = b.options("copies");
  copies.subscriptions = {{"handover", "*"}};
  copies.server_id = 1;
  auto copied = test::subscribe(b, copies);
  auto a_watch = a.options("status");
  auto a_sub = test::subscribe(a, a_watch);
  tell(0, 1);
  REQUIRE(answered(0, 1));
  tell(0, 1);
  REQUIRE(operational(a_sub));

  // A registers until the reset has taken its engine down.
  auto producer = a.connect("producer");
  std::vector<event_id> answered_ids;
  for (int i = 0; i < 200; ++i) {
    auto answer = producer->register_with_response(
      {test::json_event({"handover", std::to_string(i)})});
    REQUIRE(answer);
    answered_ids.push_back(answer->at(0).id);
  }
  caf::anon_send(a.server, atom::reset_ready::value);
  for (;;) {
    auto answer = producer->register_with_response(
      {test::json_event({"handover", "late"})});
    if (!answer)
      break;  // refused: A is no longer operational
    answered_ids.push_back(answer->at(0).id);
  }
  // A gives its answer back only after its engine stopped and flushed.
  REQUIRE(answered(0, std::nullopt));
  auto b_watch = b.options("status");
  auto b_sub = test::subscribe(b, b_watch);
  tell(1, 2);
  REQUIRE(answered(1, 2));
  tell(1, 2);
  REQUIRE(operational(b_sub));

  // B holds everything A answered as registered.
  auto not_yet = [&](const std::vector<event>& items) {
    std::set<event_id> seen;
    for (auto& e : items)
      seen.insert(e.id);
    size_t missing = 0;
    for (auto& id : answered_ids)
      missing += seen.count(id) == 0;
    return missing;
  };
  MESSAGE("events not yet copied when B became operational: "
          << not_yet(copied.events->items()));
  CHECK(copied.events->wait_until(
    [&](auto& items) { return not_yet(items) == 0; }));
  CHECK(answered_ids.size() >= 200);
}

TEST_CASE("sync: a killed sync actor is started again a retry delay later "
          "and takes its connection along, nothing lost or copied twice") {
  // A kill skips the actor's exit handler: its connection must still go
  // (the test's servers could not stop otherwise), and the next actor
  // catches up what the peer registered meanwhile. In process the
  // catch-up of 60,000 events takes tens of ms, so the kill lands after
  // it; the deterministic sync actor tests pin a drop during one.
  test::server_harness a{test::test_server_config(peer_id)};
  auto producer = a.connect("producer");
  event_id newest;
  for (int i = 0; i < 600; ++i) {
    std::vector<register_event> batch;
    for (int j = 0; j < 100; ++j)
      batch.push_back(test::json_event({"bulk", std::to_string(j)}));
    auto answer = producer->register_with_response(batch);
    REQUIRE(answer);
    newest = answer->back().id;
  }

  test::monitor_double monitor;
  test::server_harness b{monitored_config(monitor.port()), {}, false};
  auto watcher = watch_peer_events(b);
  REQUIRE(monitor.wait_connections(1));
  REQUIRE(monitor.clients(0).wait_for_count(1));
  test::list_with(monitor, 0, {test::event_member(2, "event-2", "event",
                                                 peer_id, a.port())});
  REQUIRE(watcher.events->wait_for_count(1));

  caf::scoped_actor self{b.system};
  std::vector<sync_actor> running;
  self->request(b.server, 5s, atom::get::value, atom::peers::value)
    .receive([&](std::vector<sync_actor> actors) { running = actors; },
             [](caf::error&) {});
  REQUIRE(running.size() == 1);
  self->send_exit(running[0], caf::exit_reason::kill);
  // More while no sync actor runs: the next one's catch-up brings them.
  for (int i = 0; i < 10; ++i) {
    auto answer =
      producer->register_with_response({test::json_event({"later"})});
    REQUIRE(answer);
    newest = answer->back().id;
  }

  REQUIRE(watcher.events->wait_until([&](auto& items) {
    return std::any_of(items.begin(), items.end(),
                       [&](const event& e) { return e.id == newest; });
  }, 20s));
  // Started again: a new actor.
  std::vector<sync_actor> again;
  self->request(b.server, 5s, atom::get::value, atom::peers::value)
    .receive([&](std::vector<sync_actor> actors) { again = actors; },
             [](caf::error&) {});
  REQUIRE(again.size() == 1);
  CHECK(again[0] != running[0]);
  // Every event of A once: as many notifications as distinct ids, and
  // B's store holds all of A's.
  auto seen = watcher.events->items();
  std::set<event_id> distinct;
  for (auto& e : seen)
    distinct.insert(e.id);
  CHECK(distinct.size() == seen.size());
  auto b_client = b.connect("reader");
  auto a_client = a.connect("reader");
  CHECK(server_events(*b_client).size() == server_events(*a_client).size());
}
