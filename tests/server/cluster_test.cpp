// Two real server processes on LMDB under the monitor double, which plays
// a BLESS_ONE monitor: the test decides who is blessed and sends both the
// component list. Failover under continuous load: the operational server
// is SIGKILLed, the standby one is blessed and becomes operational,
// holding the events the dead one reported as persisted. BLESS_ALL: a
// member blessed while its peer runs waits (current behaviour), while
// 0.9.0 members all run.

#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "tests/server/monitor_double.hpp"
#include "tests/server/server_process.hpp"
#include "tests/temp_dir.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

/// `dialect`: the eventer_server.dialect value ("current" or "v0.9.0").
std::string member_config(const std::string& name, int64_t server_id,
                          const std::filesystem::path& db,
                          uint16_t monitor_port,
                          const std::string& dialect = "current") {
  // No `log`: the built-in stderr lines the test reads.
  return "type: event\n"
         "name: " + name + "\n"
         "server_id: " + std::to_string(server_id) + "\n"
         "sync_retry_delay: 0.05\n"
         + test::lmdb_backend_yaml(db)
         + "modules: []\n"
         "eventer_server: {host: 127.0.0.1, port: 0, dialect: " + dialect
         + "}\n"
         "monitor_component: {host: 127.0.0.1, port: "
         + std::to_string(monitor_port) + ", group: event}\n";
}

/// The test's blessing algorithm: which of the monitor's components (by
/// connection index) are listed and which one is asked to run.
struct bless_one {
  test::monitor_double& monitor;
  std::vector<size_t> listed;

  /// Sends every listed component the list, each entry echoing its
  /// component's last answer and requested the token `requested` gives
  /// it (none: not blessed).
  void tell_each(const std::map<size_t, int64_t>& requested) {
    test::tell_members(monitor, listed, requested);
  }

  /// BLESS_ONE: only `blessed` is asked to run.
  void tell(std::optional<size_t> blessed, int64_t token) {
    std::map<size_t, int64_t> requested;
    if (blessed)
      requested[*blessed] = token;
    tell_each(requested);
  }

  /// BLESS_ALL: each listed component asked with its own token.
  bool bless_all() {
    std::map<size_t, int64_t> requested;
    for (auto index : listed)
      requested[index] = static_cast<int64_t>(index) + 100;
    tell_each(requested);
    for (auto [index, token] : requested)
      if (!monitor.clients(index).wait_until([token = token](auto& items) {
            return items.back().blessing_res.token == token;
          }))
        return false;
    tell_each(requested);
    return true;
  }

  /// When the last echo went out.
  std::chrono::steady_clock::time_point echoed{};

  /// Blesses component `index`: asks, waits for its answer, echoes it.
  bool bless(size_t index, int64_t token) {
    tell(index, token);
    if (!monitor.clients(index).wait_until([&](auto& items) {
          return items.back().blessing_res.token == token;
        }))
      return false;
    echoed = std::chrono::steady_clock::now();
    tell(index, token);
    return true;
  }
};

/// The dialect the cluster of a test speaks.
eventer::dialect cluster_dialect = eventer::dialect::current;

client::client_options options_for(uint16_t port, std::string name) {
  client::client_options opts;
  opts.dialect = cluster_dialect;
  opts.port = port;
  opts.client_name = std::move(name);
  return opts;
}

using steady = std::chrono::steady_clock;

/// A client of `port` that notes when the server said operational.
struct status_watch {
  std::shared_ptr<test::inbox<steady::time_point>> operational =
    std::make_shared<test::inbox<steady::time_point>>();
  std::unique_ptr<client::eventer_client> client;

  explicit status_watch(uint16_t port) {
    auto opts = options_for(port, "status-watch");
    opts.on_status = [seen = operational](status s) {
      if (s == status::operational)
        seen->push(steady::now());
    };
    client = client::eventer_client::connect(opts);
  }

  /// Milliseconds from `from` to the operational notification.
  std::optional<double> ms_since(steady::time_point from) {
    if (!operational->wait_for_count(1, std::chrono::seconds{10}))
      return std::nullopt;
    return std::chrono::duration<double, std::milli>(
             operational->items().front() - from)
      .count();
  }
};

/// Every event of server `server_id` that `port` holds, persisted.
std::set<event_id> held_ids(uint16_t port, int64_t server_id) {
  auto client = client::eventer_client::connect(options_for(port, "reader"));
  std::set<event_id> ids;
  std::optional<event_id> last;
  for (;;) {
    query_server_params params;
    params.server_id = server_id;
    params.persisted = true;
    params.last_event_id = last;
    auto page = client->query(query_params{params});
    for (auto& e : page.events)
      ids.insert(e.id);
    if (!page.events.empty())
      last = page.events.back().id;
    if (!page.more_follows)
      return ids;
  }
}

}  // namespace

TEST_CASE("cluster: SIGKILL of the operational server under load, the "
          "standby one takes over holding what was reported persisted, and "
          "exits non-zero when the monitor goes") {
  test::temp_dir dir;
  test::monitor_double monitor;
  auto conf_a = test::write_config(
    "cluster-a.yaml", member_config("event-a", 1, dir.path / "a.db",
                                    monitor.port()));
  auto conf_b = test::write_config(
    "cluster-b.yaml", member_config("event-b", 2, dir.path / "b.db",
                                    monitor.port()));
  auto a = std::make_unique<test::server_process>(
    std::vector<std::string>{"--conf", conf_a.string()});
  REQUIRE(monitor.wait_connections(1));
  test::server_process b{{"--conf", conf_b.string()}};
  REQUIRE(monitor.wait_connections(2));
  auto port_a = a->wait_listening();
  auto port_b = b.wait_listening();
  REQUIRE(monitor.clients(0).wait_for_count(1));
  REQUIRE(monitor.clients(1).wait_for_count(1));

  status_watch watch_a{port_a};
  status_watch watch_b{port_b};
  bless_one monitor_algorithm{monitor, {0, 1}};
  REQUIRE(monitor_algorithm.bless(0, 1));
  auto blessing_ms = watch_a.ms_since(monitor_algorithm.echoed);
  REQUIRE(blessing_ms);
  MESSAGE("figure blessing_to_operational_ms=" << *blessing_ms);
  REQUIRE(a->logged("[server] operational"));
  // B synchronises with A (standby, in the peer list from the start).
  REQUIRE(b.logged("SYNCED"));
  CHECK_FALSE(b.logged("[server] operational", 0ms));

  // Load on A, its persisted notifications recorded.
  auto persisted = std::make_shared<test::inbox<event>>();
  auto watch = options_for(port_a, "watcher");
  watch.subscriptions = {{"load", "*"}};
  watch.persisted = true;
  watch.on_events = [persisted](std::vector<event> batch) {
    for (auto& e : batch)
      persisted->push(std::move(e));
  };
  auto watcher = client::eventer_client::connect(watch);
  std::atomic<bool> stop{false};
  std::thread producer([&] {
    try {
      auto client =
        client::eventer_client::connect(options_for(port_a, "producer"));
      for (int i = 0; !stop; ++i)
        client->register_with_response(
          {test::json_event({"load", std::to_string(i % 10)})});
    } catch (const std::exception&) {
      // The server was killed.
    }
  });
  REQUIRE(persisted->wait_for_count(2000, 20s));
  auto killed_at = steady::now();
  a->signal(SIGKILL);
  REQUIRE(a->wait_exit(10s));
  stop = true;
  producer.join();
  REQUIRE(monitor.wait_closed(0));

  monitor_algorithm.listed = {1};
  REQUIRE(monitor_algorithm.bless(1, 2));
  auto failover_ms = watch_b.ms_since(killed_at);
  REQUIRE(failover_ms);
  MESSAGE("figure failover_ms=" << *failover_ms);
  REQUIRE(b.logged("[server] operational"));
  watch_b.client.reset();

  // B holds what A reported persisted, in order and without a gap: only
  // the newest reports may be missing, those A had written to the
  // watcher's socket and not yet to B's when it died (the reference has
  // the same window).
  auto reported = persisted->items();
  watcher.reset();
  REQUIRE(!reported.empty());
  auto on_b = held_ids(port_b, 1);
  size_t held_prefix = 0;
  while (held_prefix < reported.size()
         && on_b.count(reported[held_prefix].id) == 1)
    ++held_prefix;
  size_t missing = reported.size() - held_prefix;
  MESSAGE("reported persisted by A: " << reported.size()
                                      << ", missing on B: " << missing);
  if (missing > 0) {
    MESSAGE("first missing " << reported[held_prefix].id.session
            << ", last reported " << reported.back().id.session
            << ", newest on B " << on_b.rbegin()->session);
    for (auto& line : b.lines.items())
      if (line.find("[sync]") != std::string::npos
          || line.find("WARN") != std::string::npos)
        MESSAGE("B: " << line);
  }
  // Missing only from the end, and only events registered within the
  // last few flush periods (20 ms each) before the last one reported.
  auto seconds = [](const timestamp& t) { return t.s + t.us / 1e6; };
  size_t out_of_order = 0;
  size_t too_old = 0;
  for (size_t i = held_prefix; i < reported.size(); ++i) {
    out_of_order += on_b.count(reported[i].id);
    too_old += seconds(reported.back().timestamp)
                 - seconds(reported[i].timestamp)
               >= 0.5;
  }
  CHECK(out_of_order == 0);
  CHECK(too_old == 0);

  // B registers as itself.
  auto client = client::eventer_client::connect(options_for(port_b, "after"));
  auto answer = client->register_with_response({test::json_event({"after"})});
  REQUIRE(answer);
  CHECK(answer->at(0).id.server == 2);

  // The monitor gone: B stops in order and exits non-zero.
  client.reset();
  monitor.drop(1);
  auto code = b.wait_exit(10s);
  REQUIRE(code);
  CHECK(*code != 0);
  CHECK(b.logged("[engine] stopped"));
}

namespace {

/// A client of `port` notified of the persisted events of `server_id`.
test::subscriber watch_server(uint16_t port, int64_t server_id) {
  auto events = std::make_shared<test::inbox<event>>();
  auto opts = options_for(port, "server-watch");
  opts.subscriptions = {{"load", "*"}};
  opts.server_id = server_id;
  opts.persisted = true;
  opts.on_events = [events](std::vector<event> batch) {
    for (auto& e : batch)
      events->push(std::move(e));
  };
  test::subscriber sub;
  sub.events = events;
  sub.client = client::eventer_client::connect(opts);
  return sub;
}

/// Registers `count` events of type load/<tag> on `port`; their ids.
std::vector<event_id> register_load(uint16_t port, const std::string& tag,
                                    int count) {
  auto client = client::eventer_client::connect(options_for(port, tag));
  std::vector<event_id> ids;
  for (int i = 0; i < count; ++i) {
    auto answer =
      client->register_with_response({test::json_event({"load", tag})});
    REQUIRE(answer);
    ids.push_back(answer->at(0).id);
  }
  return ids;
}

bool has_all(test::subscriber& sub, const std::vector<event_id>& ids) {
  return sub.events->wait_until([&](auto& items) {
    std::set<event_id> seen;
    for (auto& e : items)
      seen.insert(e.id);
    return std::all_of(ids.begin(), ids.end(),
                       [&](auto& id) { return seen.count(id) == 1; });
  }, 20s);
}

/// Starts A (event-a, server 1) and B (event-b, server 2) under `monitor`,
/// both listed; their ports once they listen.
struct two_members {
  std::filesystem::path conf_a;
  std::filesystem::path conf_b;
  std::unique_ptr<test::server_process> a;
  std::unique_ptr<test::server_process> b;
  uint16_t port_a = 0;
  uint16_t port_b = 0;

  two_members(test::monitor_double& monitor, const test::temp_dir& dir,
              const std::string& dialect) {
    conf_a = test::write_config(
      "cluster-all-a.yaml", member_config("event-a", 1, dir.path / "a.db",
                                          monitor.port(), dialect));
    conf_b = test::write_config(
      "cluster-all-b.yaml", member_config("event-b", 2, dir.path / "b.db",
                                          monitor.port(), dialect));
    a = std::make_unique<test::server_process>(
      std::vector<std::string>{"--conf", conf_a.string()});
    REQUIRE(monitor.wait_connections(1));
    b = std::make_unique<test::server_process>(
      std::vector<std::string>{"--conf", conf_b.string()});
    REQUIRE(monitor.wait_connections(2));
    port_a = a->wait_listening();
    port_b = b->wait_listening();
    REQUIRE(monitor.clients(0).wait_for_count(1));
    REQUIRE(monitor.clients(1).wait_for_count(1));
  }
};

}  // namespace

TEST_CASE("cluster: under BLESS_ALL the member blessed while its peer runs "
          "waits, takes over when the peer stops, and the restarted peer "
          "catches up and waits in turn") {
  cluster_dialect = eventer::dialect::current;
  test::temp_dir dir;
  test::monitor_double monitor;
  two_members m{monitor, dir, "current"};
  auto& a = m.a;
  auto& b = *m.b;

  // A first, alone; then both: B waits while A is operational (spec
  // §2.4). B learns of A only once A runs: a status change of a peer B
  // already knows may reach B after B's blessing (a check, not a lock).
  bless_one monitor_algorithm{monitor, {0}};
  REQUIRE(monitor_algorithm.bless(0, 100));
  REQUIRE(a->logged("[server] operational"));
  monitor_algorithm.listed = {0, 1};
  REQUIRE(monitor_algorithm.bless_all());
  REQUIRE(b.logged("the engine waits while a peer"));
  auto a_on_b = watch_server(m.port_b, 1);
  auto from_a = register_load(m.port_a, "a", 50);
  CHECK(has_all(a_on_b, from_a));
  CHECK_FALSE(b.logged("[server] starting", 0ms));

  // A stops (SIGTERM: exit 0): B, blessed all along, starts.
  a->signal(SIGTERM);
  CHECK(a->wait_exit(10s) == 0);
  REQUIRE(b.logged("[server] operational"));
  auto from_b = register_load(m.port_b, "b", 20);
  CHECK(from_b.front().server == 2);

  // A comes back as a new component, blessed too: it waits while B runs
  // and copies what B registered meanwhile.
  a = std::make_unique<test::server_process>(
    std::vector<std::string>{"--conf", m.conf_a.string()});
  REQUIRE(monitor.wait_connections(3));
  auto port_a = a->wait_listening();
  REQUIRE(monitor.clients(2).wait_for_count(1));
  monitor_algorithm.listed = {1, 2};
  REQUIRE(monitor_algorithm.bless_all());
  auto caught_up = watch_server(port_a, 2);
  auto held = held_ids(port_a, 2);
  std::vector<event_id> missing;
  for (auto& id : from_b)
    if (held.count(id) == 0)
      missing.push_back(id);
  CHECK(has_all(caught_up, missing));
  CHECK(a->logged("SYNCED"));
  CHECK(a->logged("the engine waits while a peer"));
  CHECK_FALSE(a->logged("[server] starting", 0ms));
}

TEST_CASE("cluster: 0.9.0 members under BLESS_ALL both run and hold each "
          "other's events") {
  cluster_dialect = eventer::dialect::v0_9_0;
  test::temp_dir dir;
  test::monitor_double monitor;
  two_members m{monitor, dir, "v0.9.0"};
  bless_one monitor_algorithm{monitor, {0, 1}};
  REQUIRE(monitor_algorithm.bless_all());
  REQUIRE(m.a->logged("[server] operational"));
  REQUIRE(m.b->logged("[server] operational"));

  auto a_on_b = watch_server(m.port_b, 1);
  auto b_on_a = watch_server(m.port_a, 2);
  auto from_a = register_load(m.port_a, "a", 50);
  auto from_b = register_load(m.port_b, "b", 50);
  CHECK(from_a.front().server == 1);
  CHECK(from_b.front().server == 2);
  CHECK(has_all(a_on_b, from_a));
  CHECK(has_all(b_on_a, from_b));
  cluster_dialect = eventer::dialect::current;
}
