#include <doctest/doctest.h>

// The whole file the lmdb backend writes, database by database, against
// the layout of the reference (spec: Backends -> lmdb, on-disk layout):
// every key and value spelled out here from the layout itself, not from
// storage/lmdb/format.hpp. Event values are SBS HatEventer.Event, whose
// encoding the golden vectors prove (tests/protocol/vectors_test.cpp).

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "protocol/eventer_codec.hpp"
#include "storage/lmdb/environment.hpp"
#include "storage/lmdb_backend.hpp"
#include "tests/temp_dir.hpp"

using hat::event;
using hat::timestamp;
using hat::storage::lmdb_backend;
using hat::storage::lmdb_backend_options;
using hat::test::temp_dir;

namespace {

using table = std::map<std::string, std::string>;

/// n bytes big-endian.
std::string big_endian(uint64_t value, int n) {
  std::string out(static_cast<std::size_t>(n), '\0');
  for (int i = n - 1; i >= 0; --i, value >>= 8)
    out[static_cast<std::size_t>(i)] = static_cast<char>(value & 0xff);
  return out;
}

std::string u64(uint64_t value) {
  return big_endian(value, 8);
}

std::string id(uint64_t server, uint64_t session, uint64_t instance) {
  return u64(server) + u64(session) + u64(instance);
}

std::string ts(int64_t s, uint32_t us) {
  return u64(static_cast<uint64_t>(s) + (uint64_t{1} << 63)) +
         big_endian(us, 4);
}

std::string sbs(const event& e) {
  std::vector<char> bytes;
  hat::eventer::append_encoded(bytes, e);
  return {bytes.begin(), bytes.end()};
}

/// Every pair of the named database `name`, read with plain LMDB calls.
table dump(const std::filesystem::path& db, std::string_view name) {
  auto env = hat::storage::lmdb::environment::open(db);
  REQUIRE(env.ok());
  auto dbi = env->open_db(name, false);
  REQUIRE(dbi.ok());
  auto txn = env->begin_read();
  REQUIRE(txn.ok());
  auto cursor = txn->open_cursor(*dbi);
  REQUIRE(cursor.ok());
  table out;
  for (auto pos = cursor->first(); pos.ok() && *pos; pos = cursor->next())
    out.emplace((*pos)->key, (*pos)->value);
  return out;
}

/// A REF value split into its (db type, key) entries, sorted: the reference
/// writes a Python set, in no fixed order.
std::vector<std::string> ref_entries(std::string value) {
  std::vector<std::string> entries;
  while (!value.empty()) {
    std::size_t n = value[0] == 4 ? 9 : 45;  // LATEST_DATA / TIMESERIES_DATA
    REQUIRE(value.size() >= n);
    entries.push_back(value.substr(0, n));
    value.erase(0, n);
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

event make(hat::event_id eid, hat::event_type type, timestamp t,
           std::optional<timestamp> source, std::string json) {
  event e;
  e.id = eid;
  e.type = std::move(type);
  e.timestamp = t;
  e.source_timestamp = source;
  e.payload = hat::payload_json{std::move(json)};
  return e;
}

}  // namespace

TEST_CASE("layout: every database of a known content, byte for byte") {
  temp_dir dir;
  auto db = dir.path / "event.db";
  lmdb_backend_options options;
  options.db_path = db;
  options.identifier = "plant-1";
  options.latest_subscriptions = {{"a", "*"}};
  options.timeseries.push_back(
    {hat::order_by::timestamp, {{"a", "*"}}, std::nullopt});
  options.timeseries.push_back(
    {hat::order_by::source_timestamp, {{"*"}}, std::nullopt});

  // e2 replaces e1 as the latest a/x; e1 has no source timestamp, so only
  // the timestamp partition takes it.
  auto e1 = make({1, 1, 1}, {"a", "x"}, {10, 5}, std::nullopt, "1");
  auto e2 = make({1, 2, 1}, {"a", "x"}, {11, 0}, timestamp{8, 0}, "2");
  auto e3 = make({2, 1, 1}, {"b", "y"}, {12, 0}, timestamp{9, 0}, "3");
  {
    auto backend = lmdb_backend::open(options);
    for (const auto& e : {e1, e2, e3})
      backend->register_events(
        std::make_shared<const std::vector<event>>(std::vector<event>{e}));
    backend->flush();
  }

  CHECK(dump(db, "SYSTEM_SETTINGS") ==
        table{{u64(0), "\"0.9\""}, {u64(1), "\"plant-1\""}});
  CHECK(dump(db, "SYSTEM_LAST_EVENT_ID") ==
        table{{u64(1), id(1, 2, 1)}, {u64(2), id(2, 1, 1)}});
  CHECK(dump(db, "SYSTEM_LAST_TIMESTAMP") ==
        table{{u64(1), ts(11, 0)}, {u64(2), ts(12, 0)}});
  CHECK(dump(db, "LATEST_TYPE") == table{{u64(1), R"(["a", "x"])"}});
  CHECK(dump(db, "LATEST_DATA") == table{{u64(1), sbs(e2)}});
  CHECK(dump(db, "TIMESERIES_PARTITION") ==
        table{{u64(1), R"({"order": "timestamp", "subscriptions": [["a", "*"]]})"},
              {u64(2), R"({"order": "sourceTimestamp", "subscriptions": [["*"]]})"}});
  CHECK(dump(db, "TIMESERIES_COUNT") ==
        table{{u64(1), u64(2)}, {u64(2), u64(2)}});

  auto p1_e1 = u64(1) + ts(10, 5) + id(1, 1, 1);
  auto p1_e2 = u64(1) + ts(11, 0) + id(1, 2, 1);
  auto p2_e2 = u64(2) + ts(8, 0) + id(1, 2, 1);
  auto p2_e3 = u64(2) + ts(9, 0) + id(2, 1, 1);
  CHECK(dump(db, "TIMESERIES_DATA") == table{{p1_e1, sbs(e1)},
                                             {p1_e2, sbs(e2)},
                                             {p2_e2, sbs(e2)},
                                             {p2_e3, sbs(e3)}});

  auto refs = dump(db, "REF");
  REQUIRE(refs.size() == 3);
  using entries = std::vector<std::string>;
  // e1 lost its latest reference when e2 replaced it.
  CHECK(ref_entries(refs[id(1, 1, 1)]) == entries{"\x06" + p1_e1});
  CHECK(ref_entries(refs[id(1, 2, 1)]) ==
        entries{"\x04" + u64(1), "\x06" + p1_e2, "\x06" + p2_e2});
  CHECK(ref_entries(refs[id(2, 1, 1)]) == entries{"\x06" + p2_e3});
}
