// hat-event-lmdb-manager run as a child process on real database files
// that the lmdb backend wrote: the JSON lines of every query, copies (whole,
// one partition, without latest, without time series) opened again by the
// backend, the source left byte for byte as it was, and the exit codes of
// failures (1) and of bad arguments (2).

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "tests/child_process.hpp"
#include "tests/temp_dir.hpp"
#include "storage/lmdb/environment.hpp"
#include "storage/lmdb/format.hpp"
#include "storage/lmdb_backend.hpp"

using namespace hat;
namespace json = boost::json;
namespace fs = std::filesystem;
namespace fmt = hat::storage::lmdb::format;
using hat::storage::lmdb_backend;
using hat::storage::lmdb_backend_options;

namespace {

using hat::test::read_file;
using hat::test::temp_dir;

struct tool_output {
  int exit_code = -1;
  /// Standard output, one entry per line.
  std::vector<std::string> lines;
  std::string err;

  std::vector<json::value> values() const {
    std::vector<json::value> vs;
    for (auto& line : lines)
      vs.push_back(json::parse(line));
    return vs;
  }
};

tool_output run_tool(const fs::path& dir, std::vector<std::string> args) {
  auto run = hat::test::run_process(HAT_LMDB_MANAGER_EXECUTABLE, dir,
                                    std::move(args));
  tool_output result;
  result.exit_code = run.exit_code;
  std::istringstream out{run.out};
  for (std::string line; std::getline(out, line);)
    result.lines.push_back(line);
  result.err = std::move(run.err);
  return result;
}

event make_event(event_id id, event_type type, timestamp t) {
  event e;
  e.id = id;
  e.type = std::move(type);
  e.timestamp = t;
  return e;
}

/// The configuration every database of these tests is written and
/// reopened with: latest for all types, partition "a/*" then "b/*".
lmdb_backend_options options_for(const fs::path& db) {
  lmdb_backend_options o;
  o.db_path = db;
  o.identifier = "manager-test";
  o.latest_subscriptions = {{"*"}};
  o.timeseries.push_back({order_by::timestamp, {{"a", "*"}}, std::nullopt});
  o.timeseries.push_back({order_by::timestamp, {{"b", "*"}}, std::nullopt});
  return o;
}

std::vector<event> store(storage::backend& b, std::vector<event> es) {
  auto accepted =
    b.register_events(std::make_shared<const std::vector<event>>(es));
  return accepted ? *accepted : std::vector<event>{};
}

/// e1 is only in partition a (e3 replaced it as latest a/x), e5 only in
/// latest (no partition takes c/*).
struct stored_events {
  event e1 = make_event({1, 1, 1}, {"a", "x"}, {100, 0});
  event e2 = make_event({1, 1, 2}, {"b", "x"}, {100, 0});
  event e3 = make_event({1, 2, 1}, {"a", "x"}, {200, 0});
  event e4 = make_event({2, 1, 1}, {"b", "y"}, {300, 0});
  event e5 = make_event({2, 1, 2}, {"c", "z"}, {300, 0});

  stored_events() {
    e1.payload = payload_json{R"({"v": 1})"};
    e2.payload = payload_binary{"bt", std::string{"\x01\xff", 2}};
    e3.source_timestamp = timestamp{150, 5};
    e3.payload = payload_json{"1.5"};
  }
};

/// A database file written by the lmdb backend, and what it holds.
struct fixture {
  temp_dir dir;
  fs::path src = dir.path / "src.db";
  stored_events ev;

  fixture() {
    auto backend = lmdb_backend::open(options_for(src));
    store(*backend, {ev.e1, ev.e2});
    store(*backend, {ev.e3});
    store(*backend, {ev.e4, ev.e5});
    backend->flush();
  }

  tool_output run(std::vector<std::string> args) const {
    return run_tool(dir.path, std::move(args));
  }

  tool_output query(const fs::path& db, std::vector<std::string> args) const {
    args.insert(args.begin(), {"query", "--db", db.string()});
    return run(std::move(args));
  }

  /// The id the backend gave the partition of `first_segment`/*.
  uint64_t partition_id(const std::string& first_segment) const {
    for (auto& v : query(src, {"partition"}).values()) {
      auto& subscriptions = v.at("data").at("subscriptions");
      if (subscriptions == json::array{json::array{first_segment.c_str(), "*"}})
        return v.at("partition_id").to_number<uint64_t>();
    }
    FAIL("no partition for " << first_segment);
    return 0;
  }
};

/// Event ids of printed events, in printed order.
std::vector<event_id> ids_of(const std::vector<json::value>& events) {
  std::vector<event_id> ids;
  for (auto& v : events) {
    auto& id = v.at("id");
    ids.push_back({id.at("server").to_number<int64_t>(),
                   id.at("session").to_number<int64_t>(),
                   id.at("instance").to_number<int64_t>()});
  }
  return ids;
}

std::vector<event_id> ids_of(const std::vector<event>& events) {
  std::vector<event_id> ids;
  for (auto& e : events)
    ids.push_back(e.id);
  return ids;
}

std::vector<event_id> sorted(std::vector<event_id> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<event> timeseries_of(storage::backend& b, event_type type) {
  query_timeseries_params q;
  q.event_types = std::vector<event_type>{std::move(type)};
  q.order = order::ascending;
  return b.query(q).events;
}

std::vector<event> latest_of(storage::backend& b) {
  return b.query(query_latest_params{}).events;
}

std::vector<event> server_events(storage::backend& b, int64_t server) {
  query_server_params q;
  q.server_id = server;
  q.persisted = true;
  return b.query(q).events;
}

/// TIMESERIES_COUNT as stored: partition id → count.
std::map<uint64_t, uint64_t> stored_counts(const fs::path& db) {
  hat::storage::lmdb::open_options options;
  options.read_only = true;
  auto env = hat::storage::lmdb::environment::open(db, options);
  REQUIRE(env.ok());
  auto dbi = env->open_db(fmt::db_name(fmt::db_type::timeseries_count), false);
  REQUIRE(dbi.ok());
  auto txn = env->begin_read();
  REQUIRE(txn.ok());
  auto cursor = txn->open_cursor(*dbi);
  REQUIRE(cursor.ok());
  std::map<uint64_t, uint64_t> counts;
  for (auto at = cursor->first(); at.ok() && *at; at = cursor->next())
    counts[*fmt::decode_uint((*at)->key)] = *fmt::decode_uint((*at)->value);
  return counts;
}

const std::vector<std::string> every_query[] = {
  {"settings"},   {"last_event_id"}, {"last_timestamp"}, {"ref"},
  {"latest"},     {"partition"},     {"timeseries"},
};

}  // namespace

TEST_CASE("--help, and bad arguments exit with 2") {
  temp_dir dir;
  auto help = run_tool(dir.path, {"--help"});
  CHECK(help.exit_code == 0);
  REQUIRE_FALSE(help.lines.empty());
  CHECK(help.lines[0].starts_with("usage: hat-event-lmdb-manager query"));

  auto db = (dir.path / "x.db").string();
  for (std::vector<std::string> args : {
         std::vector<std::string>{},
         {"frobnicate"},
         {"query", "settings"},
         {"query", "--db", db},
         {"query", "--db", db, "bogus"},
         {"query", "--db", db, "settings", "--server-id", "1"},
         {"query", "--db", db, "last_event_id", "--server-id", "-1"},
         {"query", "--db", db, "latest", "--event-types", "a/*/b"},
         {"copy", db},
         {"copy", db, db + "2", db + "3"},
         {"copy", "--skip-timeseries", "--timeseries-partitions", "1", db,
          db + "2"},
         {"copy", "--timeseries-partitions", db, db + "2"},
       }) {
    CAPTURE(args.size());
    auto out = run_tool(dir.path, args);
    CHECK(out.exit_code == 2);
    CHECK(out.lines.empty());
    CHECK(out.err.starts_with("hat-event-lmdb-manager: "));
  }
  CHECK_FALSE(fs::exists(db));
}

TEST_CASE("missing, foreign and existing files fail with 1") {
  fixture f;
  auto missing = (f.dir.path / "missing.db").string();
  auto out = f.run({"query", "--db", missing, "settings"});
  CHECK(out.exit_code == 1);
  CHECK(out.err.find(missing + ": no such database file") != std::string::npos);

  out = f.run({"copy", missing, (f.dir.path / "dst.db").string()});
  CHECK(out.exit_code == 1);
  CHECK_FALSE(fs::exists(f.dir.path / "dst.db"));

  auto foreign = f.dir.path / "foreign.db";
  std::ofstream{foreign} << "not an LMDB file";
  out = f.run({"query", "--db", foreign.string(), "settings"});
  CHECK(out.exit_code == 1);
  CHECK(out.err.find(foreign.string()) != std::string::npos);

  // An LMDB file without the hat-event databases.
  auto bare = f.dir.path / "bare.db";
  REQUIRE(storage::lmdb::environment::open(bare).ok());
  out = f.run({"query", "--db", bare.string(), "settings"});
  CHECK(out.exit_code == 1);
  CHECK(out.err.find("not a hat-event database") != std::string::npos);

  auto before = read_file(foreign);
  out = f.run({"copy", f.src.string(), foreign.string()});
  CHECK(out.exit_code == 1);
  CHECK(out.err.find("already exists") != std::string::npos);
  CHECK(read_file(foreign) == before);
}

TEST_CASE("query settings, last event ids and last timestamps") {
  fixture f;
  auto out = f.query(f.src, {"settings"});
  REQUIRE(out.exit_code == 0);
  // The reference's json.dumps text, byte for byte.
  CHECK(out.lines
        == std::vector<std::string>{
          R"({"settings_id": "VERSION", "data": "0.9"})",
          R"({"settings_id": "IDENTIFIER", "data": "manager-test"})"});

  out = f.query(f.src, {"last_event_id"});
  CHECK(out.exit_code == 0);
  CHECK(out.values()
        == std::vector<json::value>{
          json::parse(R"({"server": 1, "session": 2, "instance": 1})"),
          json::parse(R"({"server": 2, "session": 1, "instance": 2})")});
  out = f.query(f.src, {"last_event_id", "--server-id", "2"});
  CHECK(out.values()
        == std::vector<json::value>{
          json::parse(R"({"server": 2, "session": 1, "instance": 2})")});
  CHECK(f.query(f.src, {"last_event_id", "--server-id", "3"}).lines.empty());

  out = f.query(f.src, {"last_timestamp", "--server-id=1"});
  CHECK(out.values()
        == std::vector<json::value>{json::parse(R"({"s": 200, "us": 0})")});
}

TEST_CASE("query latest and timeseries print events in the manager's shape") {
  fixture f;
  auto out = f.query(f.src, {"latest"});
  REQUIRE(out.exit_code == 0);
  CHECK(sorted(ids_of(out.values()))
        == sorted(ids_of({f.ev.e2, f.ev.e3, f.ev.e4, f.ev.e5})));

  out = f.query(f.src, {"latest", "--event-types", "a/*", "c/?"});
  CHECK(sorted(ids_of(out.values())) == sorted(ids_of({f.ev.e3, f.ev.e5})));
  CHECK(f.query(f.src, {"latest", "--event-types"}).lines.empty());

  auto a = std::to_string(f.partition_id("a"));
  auto b = std::to_string(f.partition_id("b"));
  out = f.query(f.src, {"timeseries", "--partition-id", a});
  auto events = out.values();
  REQUIRE(ids_of(events) == ids_of({f.ev.e1, f.ev.e3}));
  CHECK(events[0]
        == json::parse(R"({"id": {"server": 1, "session": 1, "instance": 1},
                           "type": ["a", "x"],
                           "timestamp": {"s": 100, "us": 0},
                           "source_timestamp": null,
                           "payload": {"type": "JSON", "data": {"v": 1}}})"));
  CHECK(events[1].at("source_timestamp")
        == json::parse(R"({"s": 150, "us": 5})"));
  CHECK(events[1].at("payload")
        == json::parse(R"({"type": "JSON", "data": 1.5})"));

  out = f.query(f.src, {"timeseries", "--partition-id", b, "--server-id", "1"});
  events = out.values();
  REQUIRE(ids_of(events) == ids_of({f.ev.e2}));
  CHECK(events[0].at("payload")
        == json::parse(
          R"({"type": "BINARY", "subtype": "bt", "data": "01ff"})"));

  out = f.query(f.src, {"timeseries", "--event-types", "b/y"});
  CHECK(ids_of(out.values()) == ids_of({f.ev.e4}));
}

TEST_CASE("query partition and ref") {
  fixture f;
  auto a = f.partition_id("a");
  auto b = f.partition_id("b");
  auto out = f.query(f.src, {"partition", "--partition-id", std::to_string(b)});
  CHECK(out.values()
        == std::vector<json::value>{json::parse(
          R"({"partition_id": )" + std::to_string(b)
          + R"(, "data": {"order": "timestamp",
                          "subscriptions": [["b", "*"]]}})")});

  out = f.query(f.src, {"ref", "--server-id", "1"});
  REQUIRE(out.exit_code == 0);
  // Each reference as "ID latest TYPE" or "ID timeseries PARTITION TIME".
  auto describe = [](const json::value& v) {
    auto text = json::serialize(v.at("event_id")) + " "
                + json::value_to<std::string>(v.at("ref_type")) + " ";
    if (v.at("ref_type") == "latest")
      return text + json::serialize(v.at("event_type"));
    return text + json::serialize(v.at("partition_id")) + " "
           + json::serialize(v.at("timestamp"));
  };
  std::multiset<std::string> refs;
  for (auto& v : out.values())
    refs.insert(describe(v));
  auto id = [](const event& e) {
    return json::serialize(json::value{{"server", e.id.server},
                                       {"session", e.id.session},
                                       {"instance", e.id.instance}});
  };
  auto series = [](uint64_t partition, int64_t s) {
    return "timeseries " + std::to_string(partition) + R"( {"s":)"
           + std::to_string(s) + R"(,"us":0})";
  };
  CHECK(refs
        == std::multiset<std::string>{
          id(f.ev.e1) + " " + series(a, 100),
          id(f.ev.e2) + R"( latest ["b","x"])",
          id(f.ev.e2) + " " + series(b, 100),
          id(f.ev.e3) + R"( latest ["a","x"])",
          id(f.ev.e3) + " " + series(a, 200),
        });
}

TEST_CASE("a whole copy prints and opens as the source, which is unchanged") {
  fixture f;
  auto before = read_file(f.src);
  auto dst = f.dir.path / "copy.db";
  auto out = f.run({"copy", f.src.string(), dst.string()});
  REQUIRE(out.exit_code == 0);
  CHECK(out.err.empty());
  for (auto& q : every_query) {
    CAPTURE(q[0]);
    auto from_src = f.query(f.src, q);
    CHECK(from_src.exit_code == 0);
    CHECK(f.query(dst, q).lines == from_src.lines);
  }
  CHECK(read_file(f.src) == before);

  auto copy = lmdb_backend::open(options_for(dst));
  CHECK(sorted(ids_of(latest_of(*copy)))
        == sorted(ids_of({f.ev.e2, f.ev.e3, f.ev.e4, f.ev.e5})));
  CHECK(timeseries_of(*copy, {"a", "*"}) == std::vector{f.ev.e1, f.ev.e3});
  CHECK(timeseries_of(*copy, {"b", "*"}) == std::vector{f.ev.e2, f.ev.e4});
  CHECK(server_events(*copy, 2) == std::vector{f.ev.e4, f.ev.e5});
  CHECK(copy->last_event_id(1) == f.ev.e3.id);
}

TEST_CASE("a copy of one partition holds that partition's part only") {
  fixture f;
  auto before = read_file(f.src);
  auto a = f.partition_id("a");
  auto b = f.partition_id("b");
  auto dst = f.dir.path / "copy.db";
  auto out = f.run({"copy", "--timeseries-partitions", std::to_string(b), "--",
                    f.src.string(), dst.string()});
  REQUIRE(out.exit_code == 0);
  CHECK(read_file(f.src) == before);

  // Everything but time series is as in the source.
  for (auto q : {"settings", "last_event_id", "last_timestamp", "latest"})
    CHECK(f.query(dst, {q}).lines == f.query(f.src, {q}).lines);
  CHECK(f.query(dst, {"partition"}).lines
        == f.query(f.src, {"partition", "--partition-id", std::to_string(b)})
             .lines);
  CHECK(f.query(dst, {"timeseries"}).lines
        == f.query(f.src, {"timeseries", "--partition-id", std::to_string(b)})
             .lines);
  CHECK(stored_counts(dst) == std::map<uint64_t, uint64_t>{{b, 2}});
  CHECK(stored_counts(f.src) == std::map<uint64_t, uint64_t>{{a, 2}, {b, 2}});
  // No reference into the left-out partition; e1 had no other.
  for (auto& v : f.query(dst, {"ref"}).values())
    if (v.at("ref_type") == "timeseries")
      CHECK(v.at("partition_id").to_number<uint64_t>() == b);

  auto copy = lmdb_backend::open(options_for(dst));
  CHECK(timeseries_of(*copy, {"a", "*"}).empty());
  CHECK(timeseries_of(*copy, {"b", "*"}) == std::vector{f.ev.e2, f.ev.e4});
  CHECK(server_events(*copy, 1) == std::vector{f.ev.e2, f.ev.e3});
  CHECK(latest_of(*copy).size() == 4);

  // Last ids came along: an old id is skipped, a new one is stored.
  auto old_id = make_event({1, 2, 1}, {"a", "y"}, {400, 0});
  auto new_id = make_event({1, 3, 1}, {"a", "y"}, {400, 0});
  CHECK(store(*copy, {old_id}).empty());
  CHECK(store(*copy, {new_id}) == std::vector{new_id});
  copy->flush();
  CHECK(timeseries_of(*copy, {"a", "*"}) == std::vector{new_id});
}

TEST_CASE("copies without latest or without time series") {
  fixture f;
  auto no_latest = f.dir.path / "no_latest.db";
  REQUIRE(f.run({"copy", "--skip-latest", f.src.string(), no_latest.string()})
            .exit_code
          == 0);
  CHECK(f.query(no_latest, {"latest"}).lines.empty());
  CHECK(f.query(no_latest, {"timeseries"}).lines
        == f.query(f.src, {"timeseries"}).lines);
  for (auto& v : f.query(no_latest, {"ref"}).values())
    CHECK(v.at("ref_type") == "timeseries");
  {
    auto copy = lmdb_backend::open(options_for(no_latest));
    CHECK(latest_of(*copy).empty());
    CHECK(server_events(*copy, 2) == std::vector{f.ev.e4});
  }

  auto no_series = f.dir.path / "no_series.db";
  REQUIRE(
    f.run({"copy", f.src.string(), no_series.string(), "--skip-timeseries"})
      .exit_code
    == 0);
  CHECK(f.query(no_series, {"partition"}).lines.empty());
  CHECK(f.query(no_series, {"timeseries"}).lines.empty());
  CHECK(f.query(no_series, {"latest"}).lines
        == f.query(f.src, {"latest"}).lines);
  for (auto& v : f.query(no_series, {"ref"}).values())
    CHECK(v.at("ref_type") == "latest");
  CHECK(stored_counts(no_series).empty());
  {
    auto copy = lmdb_backend::open(options_for(no_series));
    CHECK(timeseries_of(*copy, {"a", "*"}).empty());
    CHECK(server_events(*copy, 1) == std::vector{f.ev.e2, f.ev.e3});
  }
}

TEST_CASE("a copy naming an unknown partition fails and leaves nothing") {
  fixture f;
  auto dst = f.dir.path / "copy.db";
  auto out = f.run({"copy", "--timeseries-partitions", "99", f.src.string(),
                    dst.string()});
  CHECK(out.exit_code == 1);
  CHECK(out.err.find("no time-series partition 99") != std::string::npos);
  CHECK_FALSE(fs::exists(dst));
  CHECK_FALSE(fs::exists(dst.string() + "-lock"));
}

TEST_CASE("a file a running backend holds is queried and copied") {
  fixture f;
  // The backend holds the file's lock, as a running server does.
  auto backend = lmdb_backend::open(options_for(f.src));
  auto out = f.query(f.src, {"latest"});
  CHECK(out.exit_code == 0);
  CHECK(sorted(ids_of(out.values())) ==
        sorted(ids_of(std::vector{f.ev.e2, f.ev.e3, f.ev.e4, f.ev.e5})));
  auto dst = f.dir.path / "copy.db";
  CHECK(f.run({"copy", f.src.string(), dst.string()}).exit_code == 0);
  CHECK(f.query(dst, {"latest"}).lines == out.lines);
  // The backend still holds it and writes on.
  CHECK_THROWS_WITH_AS(lmdb_backend::open(options_for(f.src)),
                       doctest::Contains("is in use"), std::runtime_error);
  store(*backend, {make_event({1, 3, 1}, {"a", "y"}, {400, 0})});
  CHECK(backend->flush().size() == 1);
  CHECK(f.query(f.src, {"latest"}).lines.size() == 5);
}

TEST_CASE("a truncated, an empty or a garbage file fails with 1") {
  temp_dir dir;
  auto db = dir.path / "cut.db";
  {
    auto backend = lmdb_backend::open(options_for(db));
    std::vector<event> events;
    for (int i = 1; i <= 2000; ++i) {
      auto e = make_event({1, 1, i}, {"a", std::to_string(i % 50)},
                          {1000 + i, 0});
      e.payload = payload_json{"\"" + std::string(300, 'x') + "\""};
      events.push_back(std::move(e));
    }
    store(*backend, std::move(events));
    backend->flush();
  }
  auto size = fs::file_size(db);
  fs::resize_file(db, size / 2);
  // Before the check: latest printed, timeseries died with SIGBUS.
  for (auto query : {"latest", "timeseries"}) {
    auto out = run_tool(dir.path, {"query", "--db", db.string(), query});
    CHECK(out.exit_code == 1);
    CHECK(out.err.find(db.string() + " is damaged: " +
                       std::to_string(size / 2) + " bytes") !=
          std::string::npos);
    CHECK(out.lines.empty());
  }
  auto dst = dir.path / "copy.db";
  CHECK(run_tool(dir.path, {"copy", db.string(), dst.string()}).exit_code ==
        1);
  CHECK_FALSE(fs::exists(dst));

  auto empty = dir.path / "empty.db";
  std::ofstream{empty}.close();
  auto out = run_tool(dir.path, {"query", "--db", empty.string(), "latest"});
  CHECK(out.exit_code == 1);
  CHECK(out.err.find(empty.string() + " is empty") != std::string::npos);

  auto garbage = dir.path / "garbage.db";
  std::ofstream{garbage} << std::string(8192, '\x5a');
  out = run_tool(dir.path, {"query", "--db", garbage.string(), "latest"});
  CHECK(out.exit_code == 1);
  CHECK(out.err.find(garbage.string() + " is not an LMDB database") !=
        std::string::npos);
}
