#include <doctest/doctest.h>

// Partition limits (the reference's cleanup), the backlog bound, and flush
// jobs running on another thread while the backend registers and queries.

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storage/lmdb/cleanup.hpp"
#include "storage/lmdb/environment.hpp"
#include "storage/lmdb/format.hpp"
#include "storage/lmdb_backend.hpp"
#include "tests/temp_dir.hpp"

using hat::event;
using hat::event_id;
using hat::event_type;
using hat::query_result;
using hat::query_server_params;
using hat::query_timeseries_params;
using hat::timestamp;
using hat::storage::lmdb_backend;
using hat::storage::lmdb_backend_options;
using hat::storage::partition_limit;
using hat::storage::write_outcome;
using hat::test::temp_dir;
namespace fmt = hat::storage::lmdb::format;
namespace lmdb = hat::storage::lmdb;

namespace {

/// One partition of `a/*` with `limit`; no latest, so the time series holds
/// the only reference to each event.
lmdb_backend_options limited_options(const std::filesystem::path& db,
                                     partition_limit limit) {
  lmdb_backend_options o;
  o.db_path = db;
  o.timeseries.push_back({hat::order_by::timestamp, {{"a", "*"}}, limit});
  return o;
}

/// Events a/x with instances 1..n at the given timestamps.
std::vector<event> events_at(const std::vector<timestamp>& times,
                             int64_t first_instance = 1) {
  std::vector<event> es;
  int64_t instance = first_instance;
  for (const auto& t : times) {
    event e;
    e.id = {1, 1, instance++};
    e.type = {"a", "x"};
    e.timestamp = t;
    es.push_back(std::move(e));
  }
  return es;
}

std::vector<timestamp> seconds(int64_t from, int64_t count, int64_t step = 1) {
  std::vector<timestamp> ts;
  for (int64_t i = 0; i < count; ++i)
    ts.push_back({from + i * step, 0});
  return ts;
}

void store(lmdb_backend& b, std::vector<event> es) {
  b.register_events(std::make_shared<const std::vector<event>>(std::move(es)));
}

std::vector<int64_t> instances(const query_result& r) {
  std::vector<int64_t> out;
  for (const auto& e : r.events)
    out.push_back(e.id.instance);
  return out;
}

std::vector<int64_t> series_instances(lmdb_backend& b) {
  query_timeseries_params p;
  p.order = hat::order::ascending;
  return instances(b.query(p));
}

std::vector<int64_t> server_instances(lmdb_backend& b, bool persisted) {
  query_server_params p;
  p.server_id = 1;
  p.persisted = persisted;
  return instances(b.query(p));
}

std::vector<int64_t> range(int64_t from, int64_t to) {
  std::vector<int64_t> out;
  for (auto i = from; i <= to; ++i)
    out.push_back(i);
  return out;
}

/// Raw reads of the file with plain LMDB, as another process would.
struct raw_file {
  lmdb::environment env;

  explicit raw_file(const std::filesystem::path& db)
    : env(std::move(lmdb::environment::open(db)).value()) {
  }

  std::optional<std::string> get(fmt::db_type type, std::string_view key) {
    auto dbi = env.open_db(fmt::db_name(type), false);
    REQUIRE(dbi.ok());
    auto txn = env.begin_read();
    REQUIRE(txn.ok());
    auto v = txn->get(*dbi, key);
    REQUIRE(v.ok());
    return *v ? std::optional<std::string>(std::string(**v)) : std::nullopt;
  }

  std::optional<uint64_t> partition_count(uint64_t partition) {
    auto v = get(fmt::db_type::timeseries_count,
                 fmt::view(fmt::encode_uint(partition)));
    if (!v)
      return std::nullopt;
    return fmt::decode_uint(*v).value();
  }

  std::optional<std::vector<fmt::event_ref>> refs(const event_id& id) {
    auto v = get(fmt::db_type::ref, fmt::view(fmt::encode_event_id(id)));
    if (!v)
      return std::nullopt;
    return fmt::decode_event_refs(*v).value();
  }

  lmdb::db_stat series_stat() {
    auto dbi = env.open_db(fmt::db_name(fmt::db_type::timeseries_data), false);
    REQUIRE(dbi.ok());
    auto txn = env.begin_read();
    REQUIRE(txn.ok());
    return txn->stat(*dbi).value();
  }
};

const timestamp now{1000, 0};

}  // namespace

TEST_CASE("max_entries keeps the newest entries and drops their references") {
  temp_dir dir;
  auto db = dir.path / "data";
  auto b = lmdb_backend::open(limited_options(db, {.max_entries = 4}));
  store(*b, events_at(seconds(1, 10)));
  b->flush();
  b->cleanup(now);

  CHECK(series_instances(*b) == range(7, 10));
  CHECK(server_instances(*b, true) == range(7, 10));
  raw_file raw(db);
  CHECK(raw.partition_count(1) == 4u);
  for (int64_t i = 1; i <= 10; ++i)
    CHECK(raw.refs({1, 1, i}).has_value() == (i >= 7));
}

TEST_CASE("duration removes exactly the entries older than now - duration") {
  temp_dir dir;
  auto db = dir.path / "data";
  // 900, 910, ..., 990; the bound now - 50 = 950 itself is kept.
  auto b = lmdb_backend::open(limited_options(db, {.duration = 50.0}));
  store(*b, events_at(seconds(900, 10, 10)));
  b->flush();
  b->cleanup(now);
  CHECK(series_instances(*b) == range(6, 10));
  CHECK(raw_file(db).partition_count(1) == 5u);
}

TEST_CASE("min_entries holds back any other limit") {
  temp_dir dir;
  auto db = dir.path / "data";
  auto b = lmdb_backend::open(limited_options(
    db, {.min_entries = 3, .max_entries = 1, .duration = 1.0}));
  store(*b, events_at(seconds(1, 10)));
  b->flush();
  b->cleanup(now);
  CHECK(series_instances(*b) == range(8, 10));
}

TEST_CASE("a partition without a limit that applies keeps everything") {
  temp_dir dir;
  auto db = dir.path / "data";
  // Nothing is older than the duration and no count bound is set.
  auto b = lmdb_backend::open(limited_options(db, {.duration = 5000.0}));
  store(*b, events_at(seconds(1, 10)));
  b->flush();
  b->cleanup(now);
  CHECK(series_instances(*b) == range(1, 10));
  CHECK(raw_file(db).partition_count(1) == 10u);
}

TEST_CASE("size keeps as many entries as the size holds at the stored average") {
  temp_dir dir;
  auto db = dir.path / "data";
  int64_t size = 0;
  {
    auto b = lmdb_backend::open(limited_options(db, {}));
    store(*b, events_at(seconds(1, 200)));
    b->flush();
  }
  {
    // The reference's estimate: pages in use over entries.
    auto stat = raw_file(db).series_stat();
    REQUIRE(stat.entries == 200);
    double entry_size =
      static_cast<double>(stat.page_size) *
      static_cast<double>(stat.branch_pages + stat.leaf_pages +
                          stat.overflow_pages) /
      static_cast<double>(stat.entries);
    size = static_cast<int64_t>(entry_size * 30.5);
  }
  auto b = lmdb_backend::open(limited_options(db, {.size = size}));
  b->cleanup(now);
  CHECK(series_instances(*b) == range(171, 200));
}

TEST_CASE("an event another partition holds keeps that reference") {
  temp_dir dir;
  auto db = dir.path / "data";
  auto options = limited_options(db, {.max_entries = 2});
  options.timeseries.push_back({hat::order_by::timestamp, {{"*"}}, {}});
  auto b = lmdb_backend::open(options);
  store(*b, events_at(seconds(1, 5)));
  b->flush();
  b->cleanup(now);

  raw_file raw(db);
  CHECK(raw.partition_count(1) == 2u);
  CHECK(raw.partition_count(2) == 5u);
  for (int64_t i = 1; i <= 5; ++i) {
    auto refs = raw.refs({1, 1, i});
    REQUIRE(refs.has_value());
    CHECK(refs->size() == (i >= 4 ? 2u : 1u));
    auto* ts = std::get_if<fmt::timeseries_event_ref>(&refs->back());
    REQUIRE(ts != nullptr);
    if (i < 4)
      CHECK(ts->key.partition_id == 2);
  }
  CHECK(server_instances(*b, true) == range(1, 5));
}

TEST_CASE("cleanup removes in batches of cleanup_batch") {
  temp_dir dir;
  auto db = dir.path / "data";
  auto options = limited_options(db, {.max_entries = 1});
  options.cleanup_batch = 3;
  auto b = lmdb_backend::open(options);
  store(*b, events_at(seconds(1, 10)));
  b->flush();

  std::vector<write_outcome> outcomes;
  for (int i = 0; i < 6; ++i) {
    auto job = b->start_cleanup(now);
    REQUIRE(job);
    outcomes.push_back(job->run());
    if (outcomes.back() == write_outcome::done)
      break;
  }
  CHECK(outcomes == std::vector<write_outcome>{write_outcome::more,
                                               write_outcome::more,
                                               write_outcome::more,
                                               write_outcome::done});
  CHECK(series_instances(*b) == range(10, 10));
}

TEST_CASE("no cleanup job without limits") {
  temp_dir dir;
  auto b = lmdb_backend::open(limited_options(dir.path / "data", {}));
  // limited_options always sets a limit; drop it.
  auto options = limited_options(dir.path / "other", {});
  options.timeseries.front().limit.reset();
  auto unlimited = lmdb_backend::open(options);
  CHECK(b->start_cleanup(now) != nullptr);
  CHECK(unlimited->start_cleanup(now) == nullptr);
}

TEST_CASE("events waiting for a flush are not cleaned up") {
  temp_dir dir;
  auto b = lmdb_backend::open(
    limited_options(dir.path / "data", {.max_entries = 2}));
  store(*b, events_at(seconds(1, 6)));
  b->cleanup(now);
  CHECK(series_instances(*b) == range(1, 6));
  b->flush();
  b->cleanup(now);
  CHECK(series_instances(*b) == range(5, 6));
}

TEST_CASE("limits survive reopening: counts are stored") {
  temp_dir dir;
  auto db = dir.path / "data";
  auto options = limited_options(db, {.max_entries = 3});
  {
    auto b = lmdb_backend::open(options);
    store(*b, events_at(seconds(1, 5)));
    b->flush();
    b->cleanup(now);
  }
  auto b = lmdb_backend::open(options);
  store(*b, events_at(seconds(10, 2), 6));
  b->flush();
  b->cleanup(now);
  CHECK(series_instances(*b) == range(5, 7));
}

TEST_CASE("the backlog is full at max_pending_events until a flush") {
  temp_dir dir;
  auto options = limited_options(dir.path / "data", {});
  options.max_pending_events = 5;
  auto b = lmdb_backend::open(options);
  store(*b, events_at(seconds(1, 4)));
  CHECK_FALSE(b->backlog_full());
  store(*b, events_at(seconds(5, 1), 5));
  CHECK(b->backlog_full());
  b->flush();
  CHECK_FALSE(b->backlog_full());
}

TEST_CASE("queries see every event exactly once while a flush job runs") {
  temp_dir dir;
  auto options = limited_options(dir.path / "data", {});
  options.timeseries_max_results = 1 << 20;
  auto b = lmdb_backend::open(options);
  int64_t registered = 0;
  std::size_t overlapping_queries = 0;
  for (int round = 0; round < 20; ++round) {
    store(*b, events_at(seconds(registered + 1, 2000), registered + 1));
    registered += 2000;
    auto job = b->start_flush();
    REQUIRE(job);
    std::atomic<bool> finished{false};
    std::thread writer([&] {
      job->run();
      finished = true;
    });
    // Registering and querying go on while the job writes; every query
    // must show each event once: from the job's changes until its own
    // snapshot shows the commit, from the file after.
    int queries = 0;
    while (!finished || queries == 0) {
      store(*b, events_at(seconds(registered + 1, 1), registered + 1));
      ++registered;
      CHECK(series_instances(*b) == range(1, registered));
      CHECK(server_instances(*b, false) == range(1, registered));
      ++queries;
    }
    writer.join();
    overlapping_queries += queries;
    auto persisted = b->finish_flush();
    CHECK_FALSE(persisted.empty());
    CHECK(series_instances(*b) == range(1, registered));
  }
  b->flush();
  CHECK(server_instances(*b, true) == range(1, registered));
  MESSAGE("queries while a flush ran: ", overlapping_queries);
}

TEST_CASE("add_seconds rounds to microseconds as Timestamp.add") {
  CHECK(lmdb::add_seconds({10, 500000}, -0.75) == timestamp{9, 750000});
  CHECK(lmdb::add_seconds({0, 0}, 1.5) == timestamp{1, 500000});
  CHECK(lmdb::add_seconds({0, 999999}, 0.000001) == timestamp{1, 0});
  CHECK(lmdb::add_seconds({5, 0}, -60.0) == timestamp{-55, 0});
}
