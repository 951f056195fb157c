// The conversion of v0.6 and v0.7 database files to v0.9
// (storage/lmdb/convert) on real LMDB files: the vectors converted entry
// for entry to what the reference wrote, v06_limit.db where the reference
// fails, the source left as it was, the result served by our lmdb backend,
// and bad input refused with the database and key named and nothing left
// behind.

#include "storage/lmdb/convert/convert.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/lmdb/convert/destination_file.hpp"
#include "storage/lmdb/convert/event_upgrade.hpp"
#include "storage/lmdb/convert/legacy_event.hpp"
#include "storage/lmdb/environment.hpp"
#include "storage/lmdb/format.hpp"
#include "storage/lmdb_backend.hpp"
#include "tests/child_process.hpp"
#include "tests/storage/lmdb_convert_vectors.hpp"
#include "tests/temp_dir.hpp"

using namespace hat;
namespace fs = std::filesystem;
namespace cv = hat::storage::lmdb::convert;
namespace fmt = hat::storage::lmdb::format;
namespace lmdb = hat::storage::lmdb;
using hat::test::copy_convert_vector;
using hat::test::db_content;
using hat::test::files_in;
using hat::test::read_content;
using hat::test::read_file;
using hat::test::reference_output;
using hat::test::temp_dir;

namespace {

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 0xf];
  }
  return out;
}

/// Every database and entry of `actual` as in `expected`, each difference
/// reported with its database and key.
void check_same(const db_content& actual, const db_content& expected) {
  for (const auto& [db, entries] : expected) {
    auto found = actual.find(db);
    if (found == actual.end()) {
      FAIL_CHECK("no database " << db);
      continue;
    }
    CHECK_MESSAGE(found->second.size() == entries.size(), db);
    for (const auto& [key, value] : entries) {
      auto got = found->second.find(key);
      if (got == found->second.end())
        FAIL_CHECK(db << " lacks key " << hex(key));
      else
        CHECK_MESSAGE(hex(got->second) == hex(value), db << " " << hex(key));
    }
  }
  for (const auto& [db, entries] : actual)
    CHECK_MESSAGE(expected.count(db) == 1, "unexpected database " << db);
}

cv::conversion_report converted(const fs::path& src, const fs::path& dst) {
  auto r = cv::convert_database(src, dst);
  if (!r.ok())
    FAIL(r.error().message);
  return *r;
}

/// The error of converting `src`, after checking that no destination
/// appeared.
std::string refusal(const fs::path& src, const fs::path& dst) {
  auto r = cv::convert_database(src, dst);
  REQUIRE_FALSE(r.ok());
  CHECK_FALSE(fs::exists(dst));
  return r.error().message;
}

/// Stores `value` under `key` of the database `db` (created when absent)
/// of the LMDB file `path`; deletes the key when `value` is nullopt.
void put_raw(const fs::path& path, std::string_view db, std::string_view key,
             std::optional<std::string_view> value) {
  lmdb::open_options options;
  options.no_lock = true;
  options.max_dbs = 16;
  auto env = lmdb::environment::open(path, options);
  REQUIRE(env.ok());
  auto dbi = env->open_db(db, true);
  REQUIRE(dbi.ok());
  auto txn = env->begin_write();
  REQUIRE(txn.ok());
  if (value)
    REQUIRE(txn->put(*dbi, key, *value).ok());
  else
    REQUIRE(txn->del(*dbi, key).ok());
  REQUIRE(txn->commit().ok());
}

std::string uint_key(uint64_t n) {
  return std::string(fmt::view(fmt::encode_uint(n)));
}

/// The configuration the vectors' partitions were written with.
storage::lmdb_backend_options vector_options(const fs::path& db) {
  storage::lmdb_backend_options o;
  o.db_path = db;
  o.identifier = "converted";
  o.latest_subscriptions = {{"*"}};
  o.timeseries.push_back({order_by::timestamp, {{"a", "*"}}, std::nullopt});
  o.timeseries.push_back(
    {order_by::source_timestamp, {{"a", "*"}, {"b", "?"}}, std::nullopt});
  return o;
}

std::vector<event_id> ids_of(const std::vector<event>& events) {
  std::vector<event_id> ids;
  for (const auto& e : events)
    ids.push_back(e.id);
  return ids;
}

/// A vector file converted in a fresh directory, and the partitions the
/// conversion wrote, which a backend must find rather than add to.
struct converted_vector {
  temp_dir dir;
  fs::path dst = dir.path / "out.db";
  std::map<std::string, std::string> partitions;

  explicit converted_vector(std::string_view file) {
    converted(copy_convert_vector(file, dir.path), dst);
    partitions = read_content(dst).at("TIMESERIES_PARTITION");
  }
};

std::vector<event> timeseries(storage::backend& b, order_by by,
                              std::vector<event_type> types) {
  query_timeseries_params q;
  q.event_types = std::move(types);
  q.order = order::ascending;
  q.order_by = by;
  return b.query(q).events;
}

}  // namespace

TEST_CASE("convert: v06.db and v07.db become what the reference wrote") {
  for (std::string file : {"v06.db", "v07.db"}) {
    CAPTURE(file);
    temp_dir dir;
    auto src = copy_convert_vector(file, dir.path);
    auto report = converted(src, dir.path / "out.db");
    CHECK(report.source_version == (file == "v06.db"
                                      ? cv::database_version::v06
                                      : cv::database_version::v07));
    CHECK(report.v06_counts == 0);
    check_same(read_content(dir.path / "out.db"), reference_output(file));
    // No lock files, no temporary file, no intermediate v0.7 file.
    CHECK(files_in(dir.path) == std::vector<std::string>{"out.db", file});
  }
}

TEST_CASE("convert: v06_limit.db, on which the reference fails, keeps its "
          "count") {
  const auto& reference =
    hat::test::manifest_file("v06_limit.db").at("reference_conversion");
  REQUIRE(reference.at("exit_code") == 1);
  temp_dir dir;
  auto src = copy_convert_vector("v06_limit.db", dir.path);
  auto report = converted(src, dir.path / "out.db");
  CHECK(report.v06_counts == 1);
  // The same events as v06.db, and partition 2's count of 3.
  auto expected = reference_output("v06.db");
  expected["TIMESERIES_COUNT"][uint_key(2)] = uint_key(3);
  check_same(read_content(dir.path / "out.db"), expected);
}

TEST_CASE("convert: the source stays byte for byte as it was") {
  for (std::string file : {"v06.db", "v07.db"}) {
    CAPTURE(file);
    temp_dir dir;
    auto src = copy_convert_vector(file, dir.path);

    SUBCASE("and gets no lock file") {
      auto before = read_file(src);
      converted(src, dir.path / "out.db");
      CHECK(read_file(src) == before);
      CHECK_FALSE(fs::exists(src.string() + "-lock"));
    }

    SUBCASE("when its lock file exists, which is then used") {
      {
        auto env = lmdb::environment::open(src);
        REQUIRE(env.ok());
      }
      REQUIRE(fs::exists(src.string() + "-lock"));
      auto before = read_file(src);
      converted(src, dir.path / "out.db");
      CHECK(read_file(src) == before);
    }
  }
}

TEST_CASE("convert: the lmdb backend serves a converted v0.6 file and "
          "finds its partitions") {
  converted_vector v06("v06.db");
  {
    auto backend = storage::lmdb_backend::open(vector_options(v06.dst));
    CHECK(backend->last_event_id(1) == event_id{1, 5, 5});

    auto latest = backend->query(query_latest_params{}).events;
    std::map<event_type, event> by_type;
    for (const auto& e : latest)
      by_type[e.type] = e;
    REQUIRE(by_type.size() == 4);
    CHECK(by_type[{"a", "x"}].id == event_id{1, 4, 4});
    CHECK(by_type[{"a", "x"}].payload ==
          event_payload{payload_binary{"NoModule", ""}});
    CHECK(by_type[{"a", "y"}].payload ==
          event_payload{payload_binary{"", std::string("\0\1\xff", 3)}});
    CHECK(by_type[{"b", "z"}].payload ==
          event_payload{payload_binary{"Mod.Type", "\x81"}});
    CHECK_FALSE(by_type[{"c"}].payload.has_value());

    auto by_time =
      timeseries(*backend, order_by::timestamp, {{"a", "*"}});
    CHECK(ids_of(by_time) ==
          std::vector<event_id>{{1, 1, 1}, {1, 2, 2}, {1, 4, 4}});
    REQUIRE_FALSE(by_time.empty());
    CHECK(by_time[0].payload ==
          event_payload{payload_json{R"({"v": 1, "\u0161": "\u4e2d"})"}});
    CHECK(ids_of(timeseries(*backend, order_by::source_timestamp,
                            {{"a", "*"}, {"b", "?"}})) ==
          std::vector<event_id>{{1, 3, 3}, {1, 2, 2}, {1, 4, 4}});

    // A new event lands in the converted partition 1.
    event e;
    e.id = {1, 6, 1};
    e.type = {"a", "n"};
    e.timestamp = {1'600'000'010, 0};
    auto accepted = backend->register_events(
      std::make_shared<const std::vector<event>>(std::vector<event>{e}));
    REQUIRE(accepted);
    CHECK(accepted->size() == 1);
    backend->flush();
    CHECK(ids_of(timeseries(*backend, order_by::timestamp, {{"a", "*"}})) ==
          std::vector<event_id>{{1, 1, 1}, {1, 2, 2}, {1, 4, 4}, {1, 6, 1}});
  }
  // No partition was added or changed: the backend matched both.
  auto after = read_content(v06.dst);
  CHECK(after.at("TIMESERIES_PARTITION") == v06.partitions);
  fmt::timeseries_key key{1, {1'600'000'010, 0}, {1, 6, 1}};
  CHECK(after.at("TIMESERIES_DATA")
          .count(std::string(fmt::view(fmt::encode_timeseries_key(key)))) ==
        1);
}

TEST_CASE("convert: the lmdb backend serves a converted v0.7 file") {
  converted_vector v07("v07.db");
  {
    auto backend = storage::lmdb_backend::open(vector_options(v07.dst));
    CHECK(backend->last_event_id(1) == event_id{1, 3, 1});
    CHECK(backend->last_event_id(2) == event_id{2, 7, 1});
    CHECK(backend->query(query_latest_params{}).events.size() == 4);
    CHECK(ids_of(timeseries(*backend, order_by::timestamp, {{"a", "*"}})) ==
          std::vector<event_id>{{1, 1, 1}, {1, 1, 2}, {1, 3, 1}});
    CHECK(ids_of(timeseries(*backend, order_by::source_timestamp,
                            {{"a", "*"}, {"b", "?"}})) ==
          std::vector<event_id>{{1, 2, 1}, {1, 1, 2}, {1, 3, 1}});
    query_server_params q;
    q.server_id = 2;
    q.persisted = true;
    CHECK(ids_of(backend->query(q).events) ==
          std::vector<event_id>{{2, 7, 1}});
  }
  CHECK(read_content(v07.dst).at("TIMESERIES_PARTITION") == v07.partitions);
}

TEST_CASE("convert: refusals worded as the reference's") {
  temp_dir dir;
  auto dst = dir.path / "out.db";

  SUBCASE("a v0.9 file") {
    auto v09 = dir.path / "v09.db";
    converted(copy_convert_vector("v06.db", dir.path), v09);
    CHECK(refusal(v09, dst) == v09.string() + " already up to date");
  }
  SUBCASE("a file that is not LMDB, or empty") {
    auto text = dir.path / "text.db";
    std::ofstream(text) << "not an LMDB file, not at all";
    CHECK(refusal(text, dst) ==
          text.string() + ": MDB_INVALID: File is not an LMDB file");
    auto empty = dir.path / "empty.db";
    std::ofstream(empty).close();
    CHECK(refusal(empty, dst) ==
          empty.string() + ": MDB_INVALID: File is not an LMDB file");
  }
  SUBCASE("a directory") {
    auto sub = dir.path / "sub";
    fs::create_directory(sub);
    CHECK(refusal(sub, dst) == sub.string() + ": Is a directory");
  }
  SUBCASE("a layout of neither version") {
    auto other = dir.path / "other.db";
    put_raw(other, "events", "k", "v");
    CHECK(refusal(other, dst) == "unsupported version");
    // v0.7 but for REF.
    auto partial = dir.path / "partial.db";
    for (std::string_view db : {"SYSTEM", "LATEST_DATA", "LATEST_TYPE",
                                "ORDERED_DATA", "ORDERED_PARTITION",
                                "ORDERED_COUNT"})
      put_raw(partial, db, "k", "v");
    CHECK(refusal(partial, dst) == "unsupported version");
  }
  SUBCASE("a file cut short, which LMDB would map into a SIGBUS") {
    auto cut = copy_convert_vector("v07.db", dir.path);
    fs::resize_file(cut, 3 * 4096);
    auto message = refusal(cut, dst);
    CHECK(message.starts_with(cut.string() + " is damaged: "));
  }
  SUBCASE("a missing file") {
    auto missing = dir.path / "missing.db";
    CHECK(refusal(missing, dst) ==
          missing.string() + ": No such file or directory");
  }
  // Nothing written beside the destination either.
  for (const auto& name : files_in(dir.path))
    CHECK_FALSE(name.starts_with("out.db"));
}

TEST_CASE("convert: the version is found in the reference's order") {
  temp_dir dir;
  auto src = copy_convert_vector("v06.db", dir.path);
  auto version_key = uint_key(0);

  SUBCASE("a VERSION setting of 0.9 wins over the v0.6 databases") {
    put_raw(src, "SYSTEM_SETTINGS", version_key, "\"0.9\"");
    CHECK(refusal(src, dir.path / "out.db") ==
          src.string() + " already up to date");
  }
  SUBCASE("a VERSION setting that names no version is passed over") {
    put_raw(src, "SYSTEM_SETTINGS", version_key, "\"1.0\"");
    CHECK(converted(src, dir.path / "out.db").source_version ==
          cv::database_version::v06);
  }
}

TEST_CASE("convert: a damaged entry stops the conversion, naming its "
          "database and key") {
  struct damage {
    std::string file;
    std::string db;
    std::string key;
    /// nullopt: the key is deleted.
    std::optional<std::string> value;
    /// What the message says after "<src>: <db> key <hex key>: ".
    std::string said;
  };
  const auto v06_ordered_key = hat::test::from_hex(
    "0000000000000001800000005f5e1000000000640000000000000001");
  const auto v07_ref_key = hat::test::from_hex(
    "000000000000000100000000000000010000000000000001");
  // A v0.6 event: id (1, `instance`), type ["a"], timestamp (1, 0), then
  // `rest`: the source timestamp and the payload.
  auto v06_event = [](std::string_view instance, std::string_view rest) {
    return std::string("\x81") + std::string(instance) +
           std::string("\x81\x81" "a\x81\x80") + std::string(rest);
  };
  const std::vector<damage> damages = {
    {"v06.db", "ordered_data", v06_ordered_key, "\x81",
     "value: event: input ends in the middle of a value at byte 1"},
    {"v06.db", "ordered_data", std::string(27, '\1'),
     v06_event("\x83", "\x80\x80"),
     "key: ordered key: 27 bytes, expected 28"},
    {"v06.db", "latest", "[\"q\"]", v06_event("\x83", "\x80\x81\x81\x81{"),
     "payload: JSON: "},
    {"v06.db", "latest", "[\"q\"]", v06_event("\xfd", "\x80\x80"),
     "value: negative event instance -3"},
    {"v06.db", "ordered_partition", uint_key(1), "not json",
     "description: JSON: "},
    {"v06.db", "ordered_partition", uint_key(1),
     R"({"order": 3, "subscriptions": []})",
     "description: partition: \"order\" is neither 1 nor 2"},
    {"v06.db", "ordered_partition", uint_key(1),
     R"({"order": 1, "subscriptions": [["a", 1]]})",
     "description: event type: a segment is not a string"},
    {"v06.db", "ordered_count", uint_key(2), std::string("\0\0\0\3", 4),
     "count: uint: 4 bytes, expected 8"},
    {"v07.db", "REF", v07_ref_key, "\x09", "value: event ref of db type 9"},
    {"v07.db", "REF", v07_ref_key, std::string("\x03\x00", 2),
     "value: ordered event ref: 1 bytes, expected 44"},
    {"v07.db", "SYSTEM", uint_key(1), std::string(35, '\0'),
     "value: system value: 35 bytes, expected 36"},
    {"v07.db", "LATEST_TYPE", uint_key(1), "\"a\"",
     "value: event type: not a JSON list"},
    // Id (1, 1, 1), type [], timestamp (1, 0), no source timestamp, a
    // payload of the alternative 3, which is none.
    {"v07.db", "LATEST_DATA", uint_key(1),
     "\x81\x81\x81\x80\x81\x80\x80\x81\x83",
     "value: event: Choice index out of range at byte 8"},
    {"v07.db", "ORDERED_COUNT", uint_key(1), "",
     "count: uint: 0 bytes, expected 8"},
    {"v07.db", "ORDERED_DATA", std::string(43, '\1'), "",
     "key: timeseries key: 43 bytes, expected 44"},
    {"v07.db", "ORDERED_PARTITION", uint_key(2),
     R"({"order": "sourceTimestamp", "subscriptions": []})",
     "description: partition: \"order\" is neither 1 nor 2"},
  };
  for (const auto& d : damages) {
    CAPTURE(d.db);
    CAPTURE(d.said);
    temp_dir dir;
    auto src = copy_convert_vector(d.file, dir.path);
    put_raw(src, d.db, d.key, d.value);
    auto message = refusal(src, dir.path / "out.db");
    CAPTURE(message);
    auto prefix = src.string() + ": " + d.db + " key " + hex(d.key) + ": ";
    CHECK(message.starts_with(prefix));
    CHECK(message.substr(std::min(prefix.size(), message.size()))
            .starts_with(d.said));
    // Neither a destination nor a temporary file nor a lock file.
    CHECK(files_in(dir.path) == std::vector<std::string>{d.file});
  }

  SUBCASE("v0.6 without a server id") {
    temp_dir dir;
    auto src = copy_convert_vector("v06.db", dir.path);
    put_raw(src, "system", "server_id", std::nullopt);
    CHECK(refusal(src, dir.path / "out.db") ==
          src.string() + ": system has no server_id");
  }
}

TEST_CASE("convert: a stop request ends the conversion and leaves nothing") {
  temp_dir dir;
  auto src = copy_convert_vector("v07.db", dir.path);
  std::atomic<bool> stop{true};
  auto r = cv::convert_database(src, dir.path / "out.db", &stop);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == "interrupted");
  CHECK(files_in(dir.path) == std::vector<std::string>{"v07.db"});
}

TEST_CASE("convert: the destination appears whole or not at all") {
  temp_dir dir;
  auto dst = dir.path / "out.db";

  SUBCASE("a file that appeared meanwhile is not replaced") {
    {
      auto file = cv::destination_file::create(dst);
      REQUIRE(file.ok());
      CHECK(file->path().parent_path() == dir.path);
      CHECK(fs::exists(file->path()));
      std::ofstream(dst) << "keep";
      auto published = file->publish();
      REQUIRE_FALSE(published.ok());
      CHECK(published.error().message ==
            dst.string() + " appeared during the conversion; left as it was");
    }
    CHECK(read_file(dst) == "keep");
    CHECK(files_in(dir.path) == std::vector<std::string>{"out.db"});
  }
  SUBCASE("published, it is the destination") {
    {
      auto file = cv::destination_file::create(dst);
      REQUIRE(file.ok());
      std::ofstream(file->path()) << "data";
      REQUIRE(file->publish().ok());
    }
    CHECK(read_file(dst) == "data");
    CHECK(files_in(dir.path) == std::vector<std::string>{"out.db"});
  }
  SUBCASE("in a directory that does not exist") {
    auto nowhere = dir.path / "no" / "out.db";
    auto file = cv::destination_file::create(nowhere);
    REQUIRE_FALSE(file.ok());
    CHECK(file.error().message ==
          nowhere.string() + ": No such file or directory");
  }
}

TEST_CASE("convert: payloads become v0.9 payloads") {
  cv::legacy_event old;
  old.id = {1, 2, 3};
  old.type = {"a"};
  old.timestamp = {10, 20};
  old.source_timestamp = timestamp{-5, 250'000};
  auto payload_of = [&](cv::legacy_payload p) {
    old.payload = std::move(p);
    auto e = cv::upgrade_event(old);
    REQUIRE(e.ok());
    CHECK(e->id == old.id);
    CHECK(e->source_timestamp == old.source_timestamp);
    return e->payload;
  };
  CHECK(payload_of(cv::legacy_binary{"\x01\x02"}) ==
        event_payload{payload_binary{"", "\x01\x02"}});
  CHECK(payload_of(cv::legacy_sbs{"Mod", "Type", "\x81"}) ==
        event_payload{payload_binary{"Mod.Type", "\x81"}});
  CHECK(payload_of(cv::legacy_sbs{std::nullopt, "Type", ""}) ==
        event_payload{payload_binary{"Type", ""}});
  // As Python's json.dumps(json.loads(text)).
  CHECK(payload_of(cv::legacy_json{"{\"b\":[1.0,2e3,-0],\"a\":\"\xc3\xa9\"}"})
        == event_payload{payload_json{
             R"({"b": [1.0, 2000.0, 0], "a": "\u00e9"})"}});
  CHECK(payload_of(cv::legacy_json{R"({"a": 1, "a": 2})"}) ==
        event_payload{payload_json{R"({"a": 2})"}});
  old.payload.reset();
  CHECK_FALSE(cv::upgrade_event(old)->payload.has_value());

  SUBCASE("an integer beyond 64 bits keeps its digits") {
    auto text = "[123456789012345678901234567890, -18446744073709551617]";
    CHECK(cv::reencode_json_payload(text).value() == text);
    CHECK(cv::reencode_json_payload("[18446744073709551615,\"1e999\"]")
            .value() == "[18446744073709551615, \"1e999\"]");
  }
  SUBCASE("text that is not JSON is refused") {
    auto r = cv::reencode_json_payload("{");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == fmt::format_errc::bad_json);
    // Python accepts a lone surrogate escape; Boost.JSON does not (README).
    auto surrogate = cv::reencode_json_payload(R"("\ud800")");
    REQUIRE_FALSE(surrogate.ok());
    CHECK(surrogate.error().code == fmt::format_errc::bad_json);
  }
}

TEST_CASE("convert: v0.6 and v0.7 events decode") {
  auto v06 = cv::decode_v06_event(hat::test::from_hex(
    "8183828162817a057a7820821e42a081fb0f2190818281834d6f6484547970658181"));
  REQUIRE(v06.ok());
  CHECK(v06->id == event_id{1, 0, 3});
  CHECK(v06->type == event_type{"b", "z"});
  CHECK(v06->timestamp == timestamp{1'600'000'002, 500'000});
  CHECK(v06->source_timestamp == timestamp{-5, 250'000});
  CHECK(v06->payload == cv::legacy_payload{cv::legacy_sbs{"Mod", "Type",
                                                          "\x81"}});

  auto v07 = cv::decode_v07_event(hat::test::from_hex(
    "8181828281618179062a4f62808181062a4f61ff3d04bf8180830001ff"));
  REQUIRE(v07.ok());
  CHECK(v07->id == event_id{1, 1, 2});
  CHECK(v07->payload ==
        cv::legacy_payload{cv::legacy_binary{std::string("\0\1\xff", 3)}});

  auto truncated = cv::decode_v07_event(std::string_view("\x81\x81", 2));
  REQUIRE_FALSE(truncated.ok());
  CHECK(truncated.error().code == fmt::format_errc::bad_event);
}
