// The server on the LMDB backend: events survive a restart, session ids
// continue above the stored ones, and persisted notifications follow the
// flush.

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>

#include "tests/temp_dir.hpp"
#include "tests/server/server_harness.hpp"

using namespace hat;
using namespace std::chrono_literals;
using test::json_event;

namespace {

using hat::test::temp_dir;

config::server_config lmdb_server_config(const std::filesystem::path& db) {
  return test::test_lmdb_server_config(2, db);
}

}  // namespace

TEST_CASE("lmdb server: events survive a restart, sessions continue") {
  temp_dir dir;
  auto db = dir.path / "event.db";
  int64_t last_session = 0;
  {
    test::server_harness harness{lmdb_server_config(db)};
    auto persisted = test::subscribe(harness, [&] {
      auto opts = harness.options("persisted");
      opts.subscriptions = {{"kept", "*"}};
      opts.persisted = true;
      return opts;
    }());
    auto client = harness.connect("writer");
    for (int i = 0; i < 5; ++i) {
      auto events = client->register_with_response(
        {json_event({"kept", std::to_string(i)}, std::to_string(i))});
      REQUIRE(events);
      last_session = (*events)[0].id.session;
    }
    // Persisted notifications come after a flush (every 50 ms here).
    CHECK(persisted.events->wait_for_count(5));
    // Unflushed events are queryable too.
    auto result = client->query(query_latest_params{
      std::vector<event_type>{{"kept", "*"}}});
    CHECK(result.events.size() == 5);
  }
  REQUIRE(std::filesystem::exists(db));
  {
    test::server_harness harness{lmdb_server_config(db)};
    auto client = harness.connect("reader");
    auto latest = client->query(query_latest_params{
      std::vector<event_type>{{"kept", "*"}}});
    CHECK(latest.events.size() == 5);
    query_timeseries_params params;
    params.event_types = std::vector<event_type>{{"kept", "*"}};
    params.order = order::ascending;
    auto series = client->query(params);
    REQUIRE(series.events.size() == 5);
    CHECK(std::get<payload_json>(*series.events[4].payload).text == "4");
    auto engine = client->query(query_latest_params{
      std::vector<event_type>{{"event", "2", "engine"}}});
    REQUIRE(engine.events.size() == 1);
    // STOPPED of the first run, then STARTED: ids continue.
    CHECK(engine.events[0].id.session > last_session);
    auto next = client->register_with_response({json_event({"kept", "x"})});
    REQUIRE(next);
    CHECK((*next)[0].id.session > engine.events[0].id.session);
  }
}

TEST_CASE("lmdb server: an identifier mismatch refuses to start") {
  temp_dir dir;
  auto conf = lmdb_server_config(dir.path / "event.db");
  conf.backend.lmdb->identifier = "first";
  { test::server_harness harness{conf}; }
  conf.backend.lmdb->identifier = "second";
  CHECK_THROWS_WITH_AS(test::server_harness{conf},
                       doctest::Contains("server did not start"),
                       std::runtime_error);
}

TEST_CASE("lmdb server: cleanup applies partition limits while it runs") {
  temp_dir dir;
  auto conf = lmdb_server_config(dir.path / "event.db");
  conf.backend.lmdb->timeseries.front().subscriptions = {{"kept", "*"}};
  conf.backend.lmdb->timeseries.front().limit =
    storage::partition_limit{.max_entries = 3};
  conf.backend.lmdb->cleanup_period = 0.02;
  test::server_harness harness{conf};
  auto client = harness.connect("writer");
  for (int i = 0; i < 10; ++i)
    REQUIRE(client->register_with_response(
      {json_event({"kept", std::to_string(i)}, std::to_string(i))}));

  query_timeseries_params params;
  params.event_types = std::vector<event_type>{{"kept", "*"}};
  params.order = order::ascending;
  // Flushes every 50 ms, cleanups every 20 ms: the newest three remain.
  std::vector<std::string> kept;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto series = client->query(params);
    kept.clear();
    for (const auto& e : series.events)
      kept.push_back(std::get<payload_json>(*e.payload).text);
    if (kept.size() == 3)
      break;
    // Each query is a round trip through the store: no sleep needed, but
    // do not spin the writer's CPU away either.
    std::this_thread::yield();
  }
  CHECK(kept == std::vector<std::string>{"7", "8", "9"});
}
