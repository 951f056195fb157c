// What enters as events, over real TCP: a register request with an invalid
// JSON payload, a reserved type segment or an unstorable source timestamp
// gets `failure` (or nothing when fire-and-forget), nothing of it is stored
// or relayed, and its connection goes on. Source timestamps with
// microseconds of 1'000'000 and more are stored and relayed as sent, on the
// memory and the LMDB backends.

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "log/logger.hpp"
#include "protocol/event_type.hpp"
#include "protocol/json_validation.hpp"
#include "tests/server/server_harness.hpp"
#include "tests/temp_dir.hpp"

using namespace hat;
using namespace std::chrono_literals;
using test::json_event;

namespace {

/// Log lines the server writes while a test runs (its threads log too).
struct captured_log {
  std::mutex mutex;
  std::vector<std::string> lines;

  captured_log() {
    log::set_sink([this](std::string_view line) {
      std::lock_guard<std::mutex> guard{mutex};
      lines.emplace_back(line);
    });
  }
  ~captured_log() {
    log::set_sink({});
  }

  size_t count(std::string_view a, std::string_view b) {
    std::lock_guard<std::mutex> guard{mutex};
    return static_cast<size_t>(
      std::count_if(lines.begin(), lines.end(), [&](const std::string& l) {
        return l.find(a) != std::string::npos
               && l.find(b) != std::string::npos;
      }));
  }
};

struct bad_case {
  std::string name;
  register_event event;
  std::string reason;  ///< a part of the log line
};

register_event with_source_us(int64_t us) {
  auto e = json_event({"refused", "us"});
  e.source_timestamp = timestamp{5, us};
  return e;
}

std::vector<bad_case> bad_cases() {
  std::vector<bad_case> cases;
  for (const std::string& json : std::vector<std::string>{
       "{abc", "[1,2,]", "", "NaN", "1e400", "\"\\ud800\"", "\"\\q\"",
        "[1] x", std::string(max_json_depth + 1, '[')
          + std::string(max_json_depth + 1, ']')})
    cases.push_back({"JSON '" + json.substr(0, 20) + "'",
                     json_event({"refused", "json"}, json),
                     "invalid JSON payload"});
  cases.push_back({"'*' segment", json_event({"refused", "*"}), "'*'"});
  cases.push_back({"'?' segment", json_event({"refused", "?"}), "'?'"});
  cases.push_back({"'/' in a segment", json_event({"refused", "a/b"}),
                   "contains '/'"});
  cases.push_back({"negative microseconds", with_source_us(-1),
                   "microseconds -1"});
  cases.push_back({"microseconds beyond 4 bytes",
                   with_source_us(int64_t{1} << 32),
                   "microseconds 4294967296"});
  return cases;
}

/// Everything stored whose first segment is "refused".
size_t refused_stored(client::eventer_client& client) {
  auto latest = client.query(
    query_latest_params{std::vector<event_type>{{"refused", "*"}}});
  query_timeseries_params all;
  all.event_types = std::vector<event_type>{{"refused", "*"}};
  auto series = client.query(all);
  return latest.events.size() + series.events.size();
}

}  // namespace

TEST_CASE("invalid register requests get failure, the connection goes on") {
  captured_log logged;
  test::server_harness harness;
  auto watcher = test::subscribe(harness, [&] {
    auto opts = harness.options("watcher");
    opts.subscriptions = {{"*"}};
    return opts;
  }());
  auto producer = harness.connect("producer");
  auto cases = bad_cases();
  int good = 0;
  for (const auto& c : cases) {
    CAPTURE(c.name);
    // A valid event first: nothing of a refused request is stored.
    auto answer = producer->register_with_response(
      {json_event({"refused", "valid"}, "1"), c.event});
    CHECK_FALSE(answer.has_value());
    // The same connection registers a valid event next.
    auto ok = producer->register_with_response(
      {json_event({"ok", std::to_string(++good)}, "{\"n\": 1}")});
    REQUIRE(ok.has_value());
    REQUIRE(ok->size() == 1);
    CHECK(std::get<payload_json>(*(*ok)[0].payload).text == "{\"n\": 1}");
    CHECK(logged.count("connection", c.reason) >= 1);
    CHECK(logged.count("(producer): register refused: event 2 of 2", "")
          >= 1);
  }
  // Fire and forget: nothing answered, nothing stored, the connection kept.
  for (const auto& c : cases)
    producer->register_events({json_event({"refused", "valid"}), c.event});
  auto ok = producer->register_with_response(
    {json_event({"ok", std::to_string(++good)})});
  REQUIRE(ok.has_value());
  CHECK(producer->is_open());
  CHECK(logged.count("(producer): register refused", "")
        == 2 * cases.size());

  CHECK(refused_stored(*producer) == 0);
  // Valid JSON stays byte for byte as sent: answer, notification, store.
  const std::string odd =
    " {\"a\" :1.50E+2 ,\"b\":\"\\u00e9\\/\", \"c\":[ ]}\n";
  auto kept = producer->register_with_response(
    {json_event({"ok", std::to_string(++good)}, odd)});
  REQUIRE(kept.has_value());
  CHECK(std::get<payload_json>(*(*kept)[0].payload).text == odd);
  auto stored = producer->query(query_latest_params{
    std::vector<event_type>{{"ok", std::to_string(good)}}});
  REQUIRE(stored.events.size() == 1);
  CHECK(std::get<payload_json>(*stored.events[0].payload).text == odd);
  // The watcher saw every accepted event (CONNECTED of the producer and
  // the "ok" ones), those of the refused requests never came before them
  // or after.
  auto oks = [good](const std::vector<event>& events) {
    return std::count_if(events.begin(), events.end(), [](const event& e) {
      return e.type.size() == 2 && e.type[0] == "ok";
    }) == good;
  };
  REQUIRE(watcher.events->wait_until(
    [&](auto& events) { return oks(events); }));
  for (const auto& e : watcher.events->items()) {
    CHECK(e.type[0] != "refused");
    if (e.type == event_type{"ok", std::to_string(good)})
      CHECK(std::get<payload_json>(*e.payload).text == odd);
  }
  CHECK(watcher.client->is_open());
  CHECK(producer->is_open());
}

namespace {

config::server_config lmdb_config(const std::filesystem::path& db) {
  auto conf = test::test_server_config(2);
  conf.backend.kind = config::backend_kind::lmdb;
  config::lmdb_backend_config lmdb;
  lmdb.db_path = db;
  lmdb.flush_period = 0.05;
  lmdb.latest_subscriptions = {{"*"}};
  lmdb.timeseries.push_back(storage::partition_options{
    order_by::source_timestamp, {{"t", "*"}}, std::nullopt});
  conf.backend.lmdb = lmdb;
  return conf;
}

/// Registers events with microseconds of 1'000'000 and more and checks they
/// come back as sent, in (s, us) order, from the answer, the notification
/// and the store.
void check_large_microseconds(test::server_harness& harness) {
  auto watcher = test::subscribe(harness, [&] {
    auto opts = harness.options("watcher");
    opts.subscriptions = {{"t", "*"}};
    // Queried once persisted: the LMDB backend answers from its keys then
    // (unwritten events are merged in registration order).
    opts.persisted = true;
    return opts;
  }());
  auto producer = harness.connect("producer");
  const std::vector<timestamp> sent = {
    {5, 1'500'000}, {6, 0}, {5, 999'999}, {5, UINT32_MAX}, {5, 1'000'000}};
  std::vector<register_event> events;
  for (size_t i = 0; i < sent.size(); ++i) {
    auto e = json_event({"t", std::to_string(i)});
    e.source_timestamp = sent[i];
    events.push_back(e);
  }
  auto answer = producer->register_with_response(events);
  REQUIRE(answer.has_value());
  REQUIRE(answer->size() == sent.size());
  for (size_t i = 0; i < sent.size(); ++i)
    CHECK((*answer)[i].source_timestamp == sent[i]);

  REQUIRE(watcher.events->wait_for_count(sent.size()));
  auto notified = watcher.events->items();
  for (size_t i = 0; i < sent.size(); ++i)
    CHECK(notified[i].source_timestamp == sent[i]);

  query_timeseries_params q;
  q.event_types = std::vector<event_type>{{"t", "*"}};
  q.order_by = order_by::source_timestamp;
  q.order = order::ascending;
  q.source_t_from = timestamp{5, 1'000'000};
  auto result = producer->query(q);
  std::vector<timestamp> got;
  for (auto& e : result.events)
    got.push_back(*e.source_timestamp);
  CHECK(got == std::vector<timestamp>{
                 {5, 1'000'000}, {5, 1'500'000}, {5, UINT32_MAX}, {6, 0}});
  // A bound the key cannot hold selects what the nearest one does.
  q.source_t_from = timestamp{5, -1};
  q.source_t_to = timestamp{5, int64_t{1} << 40};
  CHECK(producer->query(q).events.size() == 4);
  CHECK(producer->is_open());
  CHECK(watcher.client->is_open());
}

}  // namespace

TEST_CASE("a client sending invalid registers as fast as it can writes a "
          "bounded number of warnings, and the rest is counted") {
  captured_log logged;
  test::server_harness harness;
  auto flooder = harness.connect("flooder");
  constexpr size_t sent = 300;
  for (size_t i = 0; i < sent; ++i)
    flooder->register_events({json_event({"refused", "*"})});
  // Answered after every earlier request was worked on.
  REQUIRE(flooder->register_with_response({json_event({"ok", "flood"})}));
  // Before: one line per refused request (300).
  auto written = logged.count("(flooder): register refused", "");
  MESSAGE(written, " of ", sent, " refusals written");
  CHECK(written >= 32);
  CHECK(written <= 64);
  // What was held back is told when the client goes: nothing vanishes.
  flooder->close();
  auto told = [&] {
    return logged.count("(flooder): ", " more warnings about its requests "
                                       "were held back")
           + logged.count("(flooder): ", "such warnings about this client "
                                         "held back");
  };
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (told() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);  // poll interval, bounded above
  CHECK(told() >= 1);
  if (written == 32)
    CHECK(logged.count("(flooder): " + std::to_string(sent - written)
                         + " more warnings",
                       "")
          == 1);
}

TEST_CASE("source timestamps with microseconds >= 1e6 are kept as sent") {
  SUBCASE("memory backend") {
    test::server_harness harness;
    check_large_microseconds(harness);
  }
  SUBCASE("lmdb backend, also after a restart") {
    test::temp_dir dir;
    auto db = dir.path / "event.db";
    {
      test::server_harness harness{lmdb_config(db)};
      check_large_microseconds(harness);
      REQUIRE(harness.shutdown());
    }
    test::server_harness again{lmdb_config(db)};
    auto client = again.connect("reader");
    query_timeseries_params q;
    q.event_types = std::vector<event_type>{{"t", "*"}};
    q.order_by = order_by::source_timestamp;
    q.order = order::ascending;
    auto result = client->query(q);
    REQUIRE(result.events.size() == 5);
    CHECK(result.events[0].source_timestamp == timestamp{5, 999'999});
    CHECK(result.events[3].source_timestamp == timestamp{5, UINT32_MAX});
    auto latest = client->query(
      query_latest_params{std::vector<event_type>{{"t", "3"}}});
    REQUIRE(latest.events.size() == 1);
    CHECK(latest.events[0].source_timestamp == timestamp{5, UINT32_MAX});
  }
}
