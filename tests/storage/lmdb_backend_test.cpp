#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <lmdb.h>

#include "tests/temp_dir.hpp"
#include "protocol/eventer_codec.hpp"
#include "storage/lmdb/environment.hpp"
#include "storage/lmdb/format.hpp"
#include "storage/lmdb/json_values.hpp"
#include "storage/lmdb_backend.hpp"
#include "storage/memory_backend.hpp"

using hat::event;
using hat::event_id;
using hat::event_type;
using hat::query_latest_params;
using hat::query_result;
using hat::query_server_params;
using hat::query_timeseries_params;
using hat::timestamp;
using hat::storage::lmdb_backend;
using hat::storage::lmdb_backend_options;
using hat::storage::memory_backend;
namespace fmt = hat::storage::lmdb::format;

namespace {

using hat::test::temp_dir;

lmdb_backend_options make_options(const std::filesystem::path& db) {
  lmdb_backend_options o;
  o.db_path = db;
  o.latest_subscriptions = {{"*"}};
  o.timeseries.push_back({hat::order_by::timestamp, {{"*"}}, std::nullopt});
  return o;
}

event make_event(event_id id, event_type type, timestamp t) {
  event e;
  e.id = id;
  e.type = std::move(type);
  e.timestamp = t;
  return e;
}

std::vector<event> store(hat::storage::backend& b, std::vector<event> es) {
  auto accepted = b.register_events(
    std::make_shared<const std::vector<event>>(std::move(es)));
  return accepted ? *accepted : std::vector<event>{};
}

/// The stored value under `key` of database `name`, read with plain LMDB.
std::optional<std::string> raw_get(const std::filesystem::path& db,
                                   fmt::db_type type, std::string_view key) {
  auto env = hat::storage::lmdb::environment::open(db);
  REQUIRE(env.ok());
  auto dbi = env->open_db(fmt::db_name(type), false);
  REQUIRE(dbi.ok());
  auto txn = env->begin_read();
  REQUIRE(txn.ok());
  auto value = txn->get(*dbi, key);
  REQUIRE(value.ok());
  if (!*value)
    return std::nullopt;
  return std::string(**value);
}

std::vector<event> by_id(std::vector<event> es) {
  std::sort(es.begin(), es.end(),
            [](const event& a, const event& b) { return a.id < b.id; });
  return es;
}

}  // namespace

TEST_CASE("open creates the file and writes VERSION") {
  temp_dir dir;
  auto db = dir.path / "data";
  { auto backend = lmdb_backend::open(make_options(db)); }
  CHECK(std::filesystem::exists(db));
  auto key = fmt::encode_settings_id(fmt::settings_id::version);
  CHECK(raw_get(db, fmt::db_type::system_settings, fmt::view(key)) ==
        std::string("\"0.9\""));
}

TEST_CASE("open refuses another identifier and another version") {
  temp_dir dir;
  auto db = dir.path / "data";
  auto options = make_options(db);
  options.identifier = "a";
  { auto backend = lmdb_backend::open(options); }
  options.identifier = "b";
  CHECK_THROWS_WITH_AS(lmdb_backend::open(options),
                       "database identifier 'a' differs from the "
                       "configured 'b'",
                       std::runtime_error);
  options.identifier = "a";
  CHECK_NOTHROW(lmdb_backend::open(options));

  {
    auto env = hat::storage::lmdb::environment::open(db);
    REQUIRE(env.ok());
    auto dbi = env->open_db("SYSTEM_SETTINGS", false);
    REQUIRE(dbi.ok());
    auto txn = env->begin_write();
    REQUIRE(txn.ok());
    auto key = fmt::encode_settings_id(fmt::settings_id::version);
    REQUIRE(txn->put(*dbi, fmt::view(key), fmt::encode_setting("0.8")).ok());
    REQUIRE(txn->commit().ok());
  }
  CHECK_THROWS_WITH_AS(lmdb_backend::open(options),
                       "database version '0.8' is not 0.9",
                       std::runtime_error);
}

TEST_CASE("register, flush and reopen keep last ids and latest") {
  temp_dir dir;
  auto db = dir.path / "data";
  auto e1 = make_event({1, 1, 1}, {"a"}, {10, 0});
  auto e2 = make_event({1, 1, 2}, {"a"}, {11, 0});
  auto e3 = make_event({2, 1, 1}, {"b"}, {5, 0});
  {
    auto backend = lmdb_backend::open(make_options(db));
    CHECK_FALSE(backend->persists_on_register());
    auto batch = std::make_shared<const std::vector<event>>(
      std::vector<event>{e1, e2, e3});
    auto accepted = backend->register_events(batch);
    CHECK(accepted == batch);
    CHECK(backend->last_event_id(1) == event_id{1, 1, 2});
    auto flushed = backend->flush();
    REQUIRE(flushed.size() == 1);
    CHECK(flushed[0] == batch);
    CHECK(backend->flush().empty());
  }
  auto backend = lmdb_backend::open(make_options(db));
  CHECK(backend->last_event_id(1) == event_id{1, 1, 2});
  CHECK(backend->last_event_id(2) == event_id{2, 1, 1});
  CHECK(backend->last_event_id(3) == event_id{3, 0, 0});
  auto latest = backend->query(query_latest_params{});
  CHECK(by_id(latest.events) == std::vector<event>{e2, e3});
  query_timeseries_params ts;
  ts.order = hat::order::ascending;
  CHECK(backend->query(ts).events == std::vector<event>{e3, e1, e2});
}

TEST_CASE("events with old ids or old timestamps are skipped") {
  temp_dir dir;
  auto backend = lmdb_backend::open(make_options(dir.path / "data"));
  auto e1 = make_event({1, 1, 5}, {"a"}, {10, 0});
  CHECK(store(*backend, {e1}).size() == 1);
  auto same_id = make_event({1, 1, 5}, {"a"}, {20, 0});
  auto old_id = make_event({1, 1, 4}, {"a"}, {20, 0});
  auto old_time = make_event({1, 1, 6}, {"a"}, {9, 999999});
  auto good = make_event({1, 1, 7}, {"a"}, {10, 0});
  auto accepted = store(*backend, {same_id, old_id, old_time, good});
  CHECK(accepted == std::vector<event>{good});
  CHECK(backend->last_event_id(1) == event_id{1, 1, 7});
  backend->flush();
  CHECK(store(*backend, {old_time}).empty());
}

TEST_CASE("stored time-series key and value are the reference's bytes") {
  temp_dir dir;
  auto db = dir.path / "data";
  auto e = make_event({3, 4, 5}, {"x", "y"}, {100, 7});
  e.payload = hat::payload_json{"{\"v\": 1}"};
  {
    auto backend = lmdb_backend::open(make_options(db));
    store(*backend, {e});
    backend->flush();
  }
  // Partition 1 (the first configured), then s + 2^63 and us, then the id.
  std::string key;
  key += std::string("\0\0\0\0\0\0\0\1", 8);
  key += std::string("\x80\0\0\0\0\0\0\x64", 8) + std::string("\0\0\0\7", 4);
  key += std::string("\0\0\0\0\0\0\0\3", 8);
  key += std::string("\0\0\0\0\0\0\0\4", 8);
  key += std::string("\0\0\0\0\0\0\0\5", 8);
  REQUIRE(key.size() == 44);
  std::vector<char> expected;
  hat::eventer::append_encoded(expected, e);
  auto value = raw_get(db, fmt::db_type::timeseries_data, key);
  REQUIRE(value);
  CHECK(*value == std::string(expected.begin(), expected.end()));
  auto count = raw_get(db, fmt::db_type::timeseries_count,
                       fmt::view(fmt::encode_uint(1)));
  CHECK(count == std::string(fmt::view(fmt::encode_uint(1))));
}

TEST_CASE("keys that do not sort last are stored all the same") {
  // Flushes append time-series and REF keys while each sorts after every
  // stored key, and fall back to ordinary puts otherwise: here a second
  // partition whose source timestamps go backwards, the first partition
  // written after the second exists, and server 1's ids after server 2's.
  temp_dir dir;
  auto db = dir.path / "data";
  auto options = make_options(db);
  options.timeseries.push_back(
    {hat::order_by::source_timestamp, {{"*"}}, std::nullopt});
  std::vector<event> all;
  {
    auto backend = lmdb_backend::open(options);
    for (int64_t server : {2, 1}) {
      std::vector<event> batch;
      for (int64_t i = 1; i <= 50; ++i) {
        auto e = make_event({server, 1, i}, {"t", std::to_string(i % 7)},
                            {100 * (3 - server) + i, 0});
        e.source_timestamp = timestamp{1000 - i - 100 * server, 0};
        batch.push_back(e);
      }
      CHECK(store(*backend, batch) == batch);
      CHECK(backend->flush().size() == 1);
      all.insert(all.end(), batch.begin(), batch.end());
    }
  }
  auto env = hat::storage::lmdb::environment::open(db);
  REQUIRE(env.ok());
  // Handles first: a read transaction cannot use one opened after it.
  auto series_db = env->open_db(fmt::db_name(fmt::db_type::timeseries_data),
                                false);
  auto ref_db = env->open_db(fmt::db_name(fmt::db_type::ref), false);
  REQUIRE(series_db.ok());
  REQUIRE(ref_db.ok());
  auto txn = env->begin_read();
  REQUIRE(txn.ok());
  auto walk = [&](hat::storage::lmdb::dbi dbi, auto&& visit) {
    auto c = txn->open_cursor(dbi);
    REQUIRE(c.ok());
    for (auto p = c->first(); p.ok() && *p; p = c->next())
      visit(**p);
  };
  std::map<uint64_t, std::vector<event_id>> series;
  walk(*series_db, [&](const auto& entry) {
    auto key = fmt::decode_timeseries_key(entry.key);
    REQUIRE(key.ok());
    series[key->partition_id].push_back(key->event_id);
  });
  std::vector<event_id> refs;
  walk(*ref_db, [&](const auto& entry) {
    auto id = fmt::decode_event_id(entry.key);
    REQUIRE(id.ok());
    refs.push_back(*id);
  });
  std::vector<event_id> ids;
  for (auto& e : by_id(all))
    ids.push_back(e.id);
  REQUIRE(series.size() == 2);
  for (auto& [partition, stored] : series) {
    INFO("partition " << partition);
    std::sort(stored.begin(), stored.end());
    CHECK(stored == ids);
  }
  CHECK(refs == ids);
  // Reopened, the backend serves every event from both servers.
  auto backend = lmdb_backend::open(options);
  for (int64_t server : {1, 2}) {
    query_server_params q;
    q.server_id = server;
    q.max_results = 1000;
    CHECK(backend->query(q).events.size() == 50);
  }
}

TEST_CASE("random stream agrees with the memory backend") {
  temp_dir dir;
  auto lmdb = lmdb_backend::open(make_options(dir.path / "data"));
  memory_backend memory;
  std::mt19937_64 rng(20240611);
  const std::vector<event_type> types = {
    {"a"}, {"a", "b"}, {"a", "c"}, {"d", "e", "f"}, {"g"}};
  int64_t sessions[3] = {0, 0, 0};
  int64_t second = 1000;
  // So that the oracle is known to compare more than empty pages.
  int nonempty = 0;
  int truncated = 0;

  auto compare = [&](const char* when) {
    INFO(std::string(when));
    auto l = lmdb->query(query_latest_params{});
    auto m = memory.query(query_latest_params{});
    CHECK(by_id(l.events) == by_id(m.events));
    query_latest_params some{std::vector<event_type>{{"a", "*"}, {"g"}}};
    CHECK(by_id(lmdb->query(some).events) ==
          by_id(memory.query(some).events));
    for (int i = 0; i < 30; ++i) {
      query_timeseries_params q;
      q.order = rng() % 2 ? hat::order::ascending : hat::order::descending;
      if (rng() % 2)
        q.t_from = timestamp{1000 + static_cast<int64_t>(rng() % 300), 0};
      if (rng() % 2)
        q.t_to = timestamp{1000 + static_cast<int64_t>(rng() % 300), 0};
      if (rng() % 3 == 0)
        q.event_types = std::vector<event_type>{types[rng() % types.size()]};
      if (rng() % 2)
        q.max_results = static_cast<int64_t>(rng() % 20);
      auto lr = lmdb->query(q);
      auto mr = memory.query(q);
      CHECK(lr == mr);
      nonempty += !lr.events.empty();
      truncated += lr.more_follows;
    }
    // Paging with last_event_id (the backend seeks to it through REF when
    // it is written): every page as the oracle's, to the end.
    int pages = 0;
    for (int i = 0; i < 6; ++i) {
      query_timeseries_params q;
      q.order = i % 2 ? hat::order::ascending : hat::order::descending;
      if (i >= 4)
        q.t_from = timestamp{1000 + static_cast<int64_t>(rng() % 100), 0};
      q.max_results = 1 + static_cast<int64_t>(rng() % 7);
      for (int page = 0; page < 200; ++page) {
        auto lr = lmdb->query(q);
        CHECK(lr == memory.query(q));
        ++pages;
        if (!lr.more_follows || lr.events.empty())
          break;
        q.last_event_id = lr.events.back().id;
      }
    }
    CHECK(pages > 6);
    for (int64_t server = 1; server <= 2; ++server) {
      query_server_params q;
      q.server_id = server;
      q.max_results = 7;
      std::vector<event> all_l, all_m;
      for (int page = 0; page < 100; ++page) {
        auto lr = lmdb->query(q);
        auto mr = memory.query(q);
        CHECK(lr == mr);
        all_l.insert(all_l.end(), lr.events.begin(), lr.events.end());
        if (!lr.more_follows || lr.events.empty())
          break;
        q.last_event_id = lr.events.back().id;
      }
      CHECK_FALSE(all_l.empty());
    }
  };

  for (int round = 0; round < 4; ++round) {
    for (int b = 0; b < 10; ++b) {
      std::vector<event> batch;
      int n = 1 + static_cast<int>(rng() % 5);
      for (int i = 0; i < n; ++i) {
        int64_t server = 1 + static_cast<int64_t>(rng() % 2);
        event e = make_event({server, 1, ++sessions[server]},
                             types[rng() % types.size()], {++second, 0});
        if (rng() % 2)
          e.source_timestamp = timestamp{static_cast<int64_t>(rng() % 50), 1};
        if (rng() % 2)
          e.payload = hat::payload_json{std::to_string(rng() % 1000)};
        batch.push_back(e);
      }
      CHECK(store(*lmdb, batch) == batch);
      store(memory, batch);
    }
    compare("before flush");
    CHECK(lmdb->flush().size() == 10);
    compare("after flush");
  }
  CHECK(nonempty > 100);
  CHECK(truncated > 20);
}
