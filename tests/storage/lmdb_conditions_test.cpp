#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>

#include "tests/temp_dir.hpp"
#include "protocol/json_validation.hpp"
#include "storage/lmdb/conditions.hpp"
#include "storage/lmdb_backend.hpp"

using hat::event;
using hat::event_id;
using hat::event_type;
using hat::query_latest_params;
using hat::query_timeseries_params;
using hat::timestamp;
using hat::storage::lmdb_backend;
using hat::storage::lmdb_backend_options;
using hat::storage::lmdb::conditions;

namespace {

using hat::test::temp_dir;

boost::json::array parse_array(const std::string& text) {
  return boost::json::parse(text).as_array();
}

/// Conditions applying one json / all / any condition to every type.
conditions for_all(const std::string& condition) {
  return conditions(
    parse_array(R"([{"subscriptions": [["*"]], "condition": )" + condition +
                "}]"));
}

event json_event(std::string text, event_type type = {"a"}) {
  event e;
  e.id = {1, 1, 1};
  e.type = std::move(type);
  e.timestamp = {1, 0};
  e.payload = hat::payload_json{std::move(text)};
  return e;
}

event binary_event() {
  event e = json_event("");
  e.payload = hat::payload_binary{"t", "123"};
  return e;
}

}  // namespace

TEST_CASE("conditions: none or not applying match every event") {
  CHECK(conditions().matches(binary_event()));
  CHECK(conditions(boost::json::array{}).matches(json_event("1")));
  auto c = conditions(parse_array(
    R"([{"subscriptions": [["b", "*"]],
         "condition": {"type": "json", "data_type": "null"}}])"));
  CHECK(c.matches(json_event("1", {"a"})));
  CHECK(c.matches(binary_event()));
  CHECK_FALSE(c.matches(json_event("1", {"b", "c"})));
  CHECK(c.matches(json_event("null", {"b", "c"})));
}

TEST_CASE("conditions: every applying condition must hold") {
  auto c = conditions(parse_array(
    R"([{"subscriptions": [["*"]],
         "condition": {"type": "json", "data_type": "number"}},
        {"subscriptions": [["a"]],
         "condition": {"type": "json", "data_value": 2}}])"));
  CHECK(c.matches(json_event("1", {"b"})));
  CHECK_FALSE(c.matches(json_event("1", {"a"})));
  CHECK(c.matches(json_event("2", {"a"})));
  CHECK_FALSE(c.matches(json_event("\"2\"", {"a"})));
}

TEST_CASE("conditions: json data_type") {
  struct row {
    const char* type;
    std::vector<const char*> passing;
    std::vector<const char*> failing;
  };
  std::vector<row> rows = {
    {"null", {"null"}, {"0", "false", "\"\"", "[]", "{}"}},
    {"boolean", {"true", "false"}, {"0", "1", "null", "\"true\""}},
    {"string", {"\"\"", "\"x\""}, {"1", "null", "[\"x\"]"}},
    {"number", {"0", "-1", "1.5", "18446744073709551615"},
     {"true", "false", "\"1\"", "null"}},
    {"array", {"[]", "[1, 2]"}, {"{}", "\"[]\"", "null"}},
    {"object", {"{}", "{\"a\": 1}"}, {"[]", "null", "1"}},
  };
  for (const auto& r : rows) {
    CAPTURE(r.type);
    auto c = for_all(std::string(R"({"type": "json", "data_type": ")") +
                     r.type + "\"}");
    for (const char* text : r.passing) {
      CAPTURE(text);
      CHECK(c.matches(json_event(text)));
    }
    for (const char* text : r.failing) {
      CAPTURE(text);
      CHECK_FALSE(c.matches(json_event(text)));
    }
  }
  CHECK_THROWS_AS(for_all(R"({"type": "json", "data_type": "int"})"),
                  std::invalid_argument);
}

TEST_CASE("conditions: json data_value with Python equality") {
  auto value = [](const char* v, const char* data) {
    return for_all(std::string(R"({"type": "json", "data_value": )") + v +
                   "}")
      .matches(json_event(data));
  };
  CHECK(value("1", "1"));
  CHECK(value("1", "1.0"));
  CHECK(value("1.0", "1"));
  CHECK(value("true", "1"));
  CHECK(value("1", "true"));
  CHECK(value("0", "false"));
  CHECK(value("false", "0.0"));
  CHECK_FALSE(value("1", "2"));
  CHECK_FALSE(value("1", "1.5"));
  CHECK_FALSE(value("true", "2"));
  CHECK_FALSE(value("1", "\"1\""));
  CHECK_FALSE(value("null", "0"));
  CHECK(value("null", "null"));
  CHECK(value("18446744073709551615", "18446744073709551615"));
  CHECK_FALSE(value("9007199254740993", "9007199254740992.0"));
  CHECK(value("-1", "-1"));
  CHECK_FALSE(value("-1", "18446744073709551615"));
  CHECK(value("\"x\"", "\"x\""));
  CHECK_FALSE(value("\"x\"", "\"y\""));
  CHECK(value("[1, true, \"a\"]", "[1.0, 1, \"a\"]"));
  CHECK_FALSE(value("[1, 2]", "[2, 1]"));
  CHECK_FALSE(value("[1]", "[1, 1]"));
  CHECK(value(R"({"a": 1, "b": [null]})", R"({"b": [null], "a": 1.0})"));
  CHECK_FALSE(value(R"({"a": 1})", R"({"a": 1, "b": 2})"));
  CHECK_FALSE(value(R"({"a": 1})", R"({"b": 1})"));
  CHECK_FALSE(value("{}", "[]"));
}

TEST_CASE("conditions: json data_type and data_value together") {
  auto c = for_all(R"({"type": "json", "data_type": "number",
                       "data_value": 1})");
  CHECK(c.matches(json_event("1")));
  // True == 1 in Python, but a bool is not a number.
  CHECK_FALSE(c.matches(json_event("true")));
  CHECK(for_all(R"({"type": "json"})").matches(json_event("\"any\"")));
}

TEST_CASE("conditions: json data_path") {
  auto at = [](const char* path, const char* value, const char* data) {
    return for_all(std::string(R"({"type": "json", "data_path": )") + path +
                   R"(, "data_value": )" + value + "}")
      .matches(json_event(data));
  };
  const char* data = R"({"a": {"b": [10, {"c": "x"}]}, "d": null})";
  CHECK(at("\"d\"", "null", data));
  CHECK(at("[\"a\", \"b\", 0]", "10", data));
  CHECK(at("[\"a\", [\"b\", [1]], \"c\"]", "\"x\"", data));
  CHECK(at("[]", R"({"d": null, "a": {"b": [10, {"c": "x"}]}})", data));
  CHECK(at("[\"a\", \"b\", -1, \"c\"]", "\"x\"", data));
  CHECK(at("0", "7", "[7, 8]"));
  CHECK(at("1", "8", "[7, 8]"));
  // Missing keys and indices, and steps into the wrong kind of value, give
  // None (null).
  CHECK(at("\"missing\"", "null", data));
  CHECK(at("[\"a\", \"b\", 2]", "null", data));
  CHECK(at("[\"a\", \"b\", -3]", "null", data));
  CHECK(at("[\"a\", 0]", "null", data));
  CHECK(at("[\"a\", \"b\", \"c\"]", "null", data));
  CHECK(at("\"x\"", "null", "5"));
  CHECK_FALSE(at("\"missing\"", "1", data));
  auto missing_null =
    for_all(R"({"type": "json", "data_path": "m", "data_type": "null"})");
  CHECK(missing_null.matches(json_event("{}")));
  CHECK_FALSE(missing_null.matches(json_event(R"({"m": 0})")));
  CHECK_THROWS_AS(for_all(R"({"type": "json", "data_path": true})"),
                  std::invalid_argument);
}

TEST_CASE("conditions: json needs a valid JSON payload") {
  auto c = for_all(R"({"type": "json"})");
  CHECK(c.matches(json_event("{}")));
  CHECK_FALSE(c.matches(binary_event()));
  event none = json_event("");
  none.payload.reset();
  CHECK_FALSE(c.matches(none));
  CHECK_FALSE(c.matches(json_event("")));
  CHECK_FALSE(c.matches(json_event("{")));
  CHECK_FALSE(c.matches(json_event("[1,]")));
  CHECK_FALSE(c.matches(json_event("1 2")));
}

TEST_CASE("conditions: a payload nested as deep as the server accepts") {
  // The server accepts JSON payloads nested up to max_json_depth (the
  // reference: Python's json, about 1,000); Boost.JSON's default stops at
  // 32, which made such payloads "not valid JSON" here, so the conditions
  // failed them and the LMDB backend did not store them.
  auto nested = [](size_t depth) {
    return std::string(depth, '[') + "1" + std::string(depth, ']');
  };
  auto c = for_all(R"({"type": "json", "data_type": "array"})");
  CHECK(c.matches(json_event(nested(33))));
  CHECK(c.matches(json_event(nested(hat::max_json_depth))));
  auto path = for_all(
    R"({"type": "json", "data_path": [0, 0], "data_type": "array"})");
  CHECK(path.matches(json_event(nested(100))));
  CHECK(hat::storage::lmdb::parse_json_payload(nested(hat::max_json_depth)));
  CHECK_FALSE(hat::storage::lmdb::parse_json_payload("[1,]"));
}

TEST_CASE("conditions: all and any") {
  const std::string is_null = R"({"type": "json", "data_type": "null"})";
  const std::string is_number = R"({"type": "json", "data_type": "number"})";
  const std::string is_one = R"({"type": "json", "data_value": 1})";
  auto all = [](const std::string& items) {
    return for_all(R"({"type": "all", "conditions": [)" + items + "]}");
  };
  auto any = [](const std::string& items) {
    return for_all(R"({"type": "any", "conditions": [)" + items + "]}");
  };
  auto one = json_event("1");
  auto two = json_event("2");
  auto nothing = json_event("null");

  CHECK(all("").matches(one));
  CHECK(all("").matches(binary_event()));
  CHECK_FALSE(any("").matches(one));
  CHECK(all(is_number + "," + is_one).matches(one));
  CHECK_FALSE(all(is_number + "," + is_one).matches(two));
  CHECK(any(is_null + "," + is_one).matches(one));
  CHECK(any(is_null + "," + is_one).matches(nothing));
  CHECK_FALSE(any(is_null + "," + is_one).matches(two));

  // any(all(number, 1), null)
  auto nested = any(R"({"type": "all", "conditions": [)" + is_number + "," +
                    is_one + "]}," + is_null);
  CHECK(nested.matches(one));
  CHECK(nested.matches(nothing));
  CHECK_FALSE(nested.matches(two));
  CHECK_FALSE(nested.matches(binary_event()));
  // all(any(), ...) never holds; any(all()) always does.
  CHECK_FALSE(all(R"({"type": "any", "conditions": []})").matches(one));
  CHECK(any(R"({"type": "all", "conditions": []})").matches(binary_event()));

  CHECK_THROWS_AS(for_all(R"({"type": "none"})"), std::invalid_argument);
  CHECK_THROWS_AS(for_all(R"({"type": "all"})"), std::invalid_argument);
}

namespace {

lmdb_backend_options cond_options(const std::filesystem::path& db,
                                  const std::string& conditions_text) {
  lmdb_backend_options o;
  o.db_path = db;
  o.conditions = parse_array(conditions_text);
  o.latest_subscriptions = {{"*"}};
  o.timeseries.push_back({hat::order_by::timestamp, {{"*"}}, std::nullopt});
  return o;
}

event stored_event(int64_t instance, event_type type, std::string text) {
  event e = json_event(std::move(text), std::move(type));
  e.id = {1, 1, instance};
  e.timestamp = {instance, 0};
  return e;
}

std::vector<event> latest_of(lmdb_backend& b) {
  auto events = b.query(query_latest_params{}).events;
  std::sort(events.begin(), events.end(),
            [](const event& x, const event& y) { return x.id < y.id; });
  return events;
}

std::vector<event> series_of(lmdb_backend& b) {
  query_timeseries_params p;
  p.order = hat::order::ascending;
  return b.query(p).events;
}

const char* number_for_a = R"([{"subscriptions": [["a"]],
  "condition": {"type": "json", "data_type": "number"}}])";
const char* one_for_a = R"([{"subscriptions": [["a"]],
  "condition": {"type": "json", "data_value": 1}}])";

}  // namespace

TEST_CASE("lmdb backend skips events failing conditions") {
  temp_dir dir;
  auto backend =
    lmdb_backend::open(cond_options(dir.path / "data", number_for_a));
  auto e1 = stored_event(1, {"a"}, "1");
  auto e2 = stored_event(2, {"a"}, "\"no\"");
  auto e3 = stored_event(3, {"b"}, "\"other type\"");
  auto batch = std::make_shared<const std::vector<event>>(
    std::vector<event>{e1, e2, e3});
  auto accepted = backend->register_events(batch);
  REQUIRE(accepted);
  CHECK(*accepted == std::vector<event>{e1, e3});
  CHECK(backend->last_event_id(1) == event_id{1, 1, 3});
  CHECK(latest_of(*backend) == std::vector<event>{e1, e3});
  CHECK(series_of(*backend) == std::vector<event>{e1, e3});
  backend->flush();
  CHECK(latest_of(*backend) == std::vector<event>{e1, e3});
  CHECK(series_of(*backend) == std::vector<event>{e1, e3});

  // A failing event with a later type "a" leaves the stored latest alone.
  auto e4 = stored_event(4, {"a"}, "null");
  CHECK(backend->register_events(std::make_shared<const std::vector<event>>(
                                   std::vector<event>{e4}))
          ->empty());
  CHECK(latest_of(*backend) == std::vector<event>{e1, e3});
}

TEST_CASE("lmdb backend reopened with stricter conditions hides events") {
  temp_dir dir;
  auto db = dir.path / "data";
  auto e1 = stored_event(1, {"a"}, "1");
  auto e2 = stored_event(2, {"a"}, "2");
  auto e3 = stored_event(3, {"b"}, "\"b\"");
  auto e4 = stored_event(4, {"c"}, "1");
  {
    auto backend = lmdb_backend::open(cond_options(db, number_for_a));
    auto accepted = backend->register_events(
      std::make_shared<const std::vector<event>>(
        std::vector<event>{e1, e2, e3, e4}));
    CHECK(accepted->size() == 4);
    backend->flush();
  }
  {
    auto backend = lmdb_backend::open(cond_options(db, one_for_a));
    // Latest of "a" was e2, which now fails: dropped, not replaced by e1.
    CHECK(latest_of(*backend) == std::vector<event>{e3, e4});
    CHECK(series_of(*backend) == std::vector<event>{e1, e3, e4});
    query_timeseries_params p;
    p.order = hat::order::descending;
    p.max_results = 1;
    auto page = backend->query(p);
    CHECK(page.events == std::vector<event>{e4});
    CHECK(page.more_follows);
    p.last_event_id = e4.id;
    p.max_results = 2;
    page = backend->query(p);
    CHECK(page.events == std::vector<event>{e3, e1});
    CHECK_FALSE(page.more_follows);
  }
  // Conditions hide, but do not delete: the looser ones show e2 again in
  // the time series.
  auto backend = lmdb_backend::open(cond_options(db, "[]"));
  CHECK(series_of(*backend) == std::vector<event>{e1, e2, e3, e4});
}

TEST_CASE("lmdb backend open refuses malformed conditions") {
  temp_dir dir;
  CHECK_THROWS_AS(
    lmdb_backend::open(cond_options(
      dir.path / "data",
      R"([{"subscriptions": [["a"]], "condition": {"type": "x"}}])")),
    std::invalid_argument);
}
