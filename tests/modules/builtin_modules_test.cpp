// The built-in modules (modules/builtin), driven through their factories
// as the server does, against an engine whose timers the test fires.

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>

#include "modules/builtin/builtin.hpp"
#include "modules/builtin/copy.hpp"
#include "modules/builtin/counter.hpp"
#include "modules/builtin/payload_guard.hpp"

using hat::event;
using hat::event_payload;
using hat::event_source;
using hat::event_type;
using hat::payload_binary;
using hat::payload_json;
using hat::register_event;
using hat::timestamp;
using hat::modules::module;
using hat::modules::module_factory;
using namespace std::chrono_literals;

namespace {

namespace json = boost::json;

/// Records registrations and holds timers until fire_timers().
class fake_engine final : public hat::modules::engine_handle {
public:
  using done_fn = std::function<void(std::optional<std::vector<event>>)>;

  struct registration {
    std::vector<register_event> events;
    done_fn done;
  };

  std::vector<registration> registrations;
  std::vector<std::pair<std::chrono::milliseconds, std::function<void()>>>
    timers;

  int64_t server_id() const override {
    return 1;
  }

  void register_events(std::vector<register_event> events,
                       done_fn done) override {
    registrations.push_back({std::move(events), std::move(done)});
  }

  void query(hat::query_params,
             std::function<void(std::optional<hat::query_result>)>) override {
    FAIL("no built-in module queries");
  }

  void client_names(
    std::function<void(std::vector<hat::modules::client_name>)>) override {
    FAIL("no built-in module asks for client names");
  }

  void after(std::chrono::milliseconds delay,
             std::function<void()> fn) override {
    timers.emplace_back(delay, std::move(fn));
  }

  void restart() override {
    FAIL("no built-in module restarts the engine");
  }

  void reset_monitor_ready() override {
    FAIL("no built-in module resets the monitor");
  }

  /// Fires the timers armed so far; those armed meanwhile stay pending.
  void fire_timers() {
    auto due = std::move(timers);
    timers.clear();
    for (auto& [delay, fn] : due)
      fn();
  }
};

const event_source some_source{event_source::kind::eventer, 7};

std::unique_ptr<module> create(const module_factory& factory,
                               std::string_view conf, fake_engine& engine) {
  return factory.create(json::parse(conf).as_object(), engine,
                        event_source{event_source::kind::module, 0});
}

std::unique_ptr<module> create(const module_factory& factory,
                               std::string_view conf) {
  static fake_engine engine;
  return create(factory, conf, engine);
}

event make_event(event_type type, std::optional<event_payload> payload,
                 timestamp t = {10, 0},
                 std::optional<timestamp> source_t = std::nullopt) {
  event e;
  e.id = {1, 2, 3};
  e.type = std::move(type);
  e.timestamp = t;
  e.source_timestamp = source_t;
  e.payload = std::move(payload);
  return e;
}

std::string payload_text(const register_event& e) {
  REQUIRE(e.payload);
  const auto* text = std::get_if<payload_json>(&*e.payload);
  REQUIRE(text);
  return text->text;
}

// -- copy --

constexpr const char* gw_copy = R"({"module": "copy",
  "subscriptions": [["gw", "*"], ["other"]],
  "from": ["gw"], "to": ["mirror", "gw"]})";

}  // namespace

TEST_CASE("copy: replaces the prefix, keeps source timestamp and payload") {
  auto m = create(hat::modules::builtin::copy_factory, gw_copy);
  CHECK(m->subscription() ==
        std::vector<event_type>{{"gw", "*"}, {"other"}});

  auto out = m->process(some_source,
                        make_event({"gw", "a", "b"}, payload_json{"[1.0]"},
                                   {10, 0}, timestamp{5, 6}));
  REQUIRE(out.size() == 1);
  CHECK(out[0] == register_event{{"mirror", "gw", "a", "b"},
                                 timestamp{5, 6},
                                 payload_json{"[1.0]"}});

  out = m->process(some_source,
                   make_event({"gw"}, payload_binary{"t", "\x01\x02"}));
  REQUIRE(out.size() == 1);
  CHECK(out[0] == register_event{{"mirror", "gw"}, std::nullopt,
                                 payload_binary{"t", "\x01\x02"}});

  out = m->process(some_source, make_event({"gw", "x"}, std::nullopt));
  REQUIRE(out.size() == 1);
  CHECK(out[0] == register_event{{"mirror", "gw", "x"}, std::nullopt,
                                 std::nullopt});
}

TEST_CASE("copy: leaves alone events whose type does not start with from") {
  auto m = create(hat::modules::builtin::copy_factory, gw_copy);
  CHECK(m->process(some_source, make_event({"other"}, std::nullopt))
          .empty());
}

TEST_CASE("copy: empty from prepends, empty to strips") {
  auto prepend = create(hat::modules::builtin::copy_factory,
                        R"({"module": "copy", "subscriptions": [["a", "*"]],
                            "from": [], "to": ["b"]})");
  auto out = prepend->process(some_source, make_event({"a", "x"}, {}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].type == event_type{"b", "a", "x"});

  auto strip = create(hat::modules::builtin::copy_factory,
                      R"({"module": "copy", "subscriptions": [["a", "b"]],
                          "from": ["a"], "to": []})");
  out = strip->process(some_source, make_event({"a", "b"}, {}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].type == event_type{"b"});
}

TEST_CASE("copy: refuses configurations whose copies would be copied again") {
  const auto& factory = hat::modules::builtin::copy_factory;
  auto conf = [](std::string subscriptions, std::string from,
                 std::string to) {
    return R"({"module": "copy", "subscriptions": )" + subscriptions +
           R"(, "from": )" + from + R"(, "to": )" + to + "}";
  };

  CHECK_THROWS_WITH_AS(
    create(factory, conf(R"([["gw", "*"]])", R"(["gw"])", R"(["gw"])")),
    "copy: to: copies with types gw/* would match subscriptions and be "
    "copied again, forever",
    std::invalid_argument);
  CHECK_THROWS_WITH_AS(
    create(factory, conf(R"([["*"]])", R"([])", R"(["x"])")),
    "copy: to: copies with types x/* would match subscriptions and be "
    "copied again, forever",
    std::invalid_argument);
  // a/x -> a/b/x matches a/*.
  CHECK_THROWS_AS(
    create(factory, conf(R"([["a", "*"]])", R"(["a"])", R"(["a", "b"])")),
    std::invalid_argument);
  // gw/x -> m/x matches ?/x.
  CHECK_THROWS_WITH_AS(
    create(factory, conf(R"([["?", "x"]])", R"(["gw"])", R"(["m"])")),
    "copy: to: copies with types m/x would match subscriptions and be "
    "copied again, forever",
    std::invalid_argument);
  // a/x -> a/b/x matches a/b/?.
  CHECK_THROWS_AS(create(factory, conf(R"([["a", "?"], ["a", "b", "?"]])",
                                       R"(["a"])", R"(["a", "b"])")),
                  std::invalid_argument);
  // The same prefix change, but no copy has a subscribed shape: a/x ->
  // a/b/x never matches a/? (a conservative check would refuse it).
  CHECK_NOTHROW(
    create(factory, conf(R"([["a", "?"]])", R"(["a"])", R"(["a", "b"])")));
}

TEST_CASE("copy: refuses a from that no subscribed type starts with") {
  CHECK_THROWS_WITH_AS(
    create(hat::modules::builtin::copy_factory,
           R"({"module": "copy", "subscriptions": [["gw", "*"], ["a"]],
               "from": ["other"], "to": ["x"]})"),
    "copy: from: no type matching subscriptions starts with 'other': "
    "nothing would ever be copied",
    std::invalid_argument);
}

TEST_CASE("copy: refuses malformed configurations naming the field") {
  const auto& factory = hat::modules::builtin::copy_factory;
  CHECK_THROWS_WITH_AS(
    create(factory, R"({"module": "copy", "from": [], "to": []})"),
    "copy: subscriptions: missing", std::invalid_argument);
  CHECK_THROWS_WITH_AS(
    create(factory, R"({"module": "copy", "subscriptions": [],
                        "from": [], "to": ["x"]})"),
    "copy: subscriptions: expected a non-empty list of query types",
    std::invalid_argument);
  CHECK_THROWS_WITH_AS(
    create(factory, R"({"module": "copy", "subscriptions": [["*", "a"]],
                        "from": [], "to": ["x"]})"),
    "copy: subscriptions[0]: query type '*/a' has '*' before its last "
    "segment",
    std::invalid_argument);
  CHECK_THROWS_WITH_AS(
    create(factory, R"({"module": "copy", "subscriptions": [["a"], "b"],
                        "from": [], "to": ["x"]})"),
    "copy: subscriptions[1]: expected a list of strings",
    std::invalid_argument);
  CHECK_THROWS_WITH_AS(
    create(factory, R"({"module": "copy", "subscriptions": [["a"]],
                        "from": "a", "to": ["x"]})"),
    "copy: from: expected a list of strings", std::invalid_argument);
  CHECK_THROWS_WITH_AS(
    create(factory, R"({"module": "copy", "subscriptions": [["a"]],
                        "from": ["a"]})"),
    "copy: to: missing", std::invalid_argument);
  CHECK_THROWS_WITH_AS(
    create(factory, R"({"module": "copy", "subscriptions": [["a"]],
                        "from": ["a"], "to": ["x", "*"]})"),
    "copy: to: event type 'x/*' contains the reserved segment '*'",
    std::invalid_argument);
}

// -- counter --

namespace {

constexpr const char* gw_counter = R"({"module": "counter",
  "subscriptions": [["gw", "*"]], "type": ["stats"], "period": 0.5})";

}  // namespace

TEST_CASE("counter: reports the types that changed every period") {
  fake_engine engine;
  auto m = create(hat::modules::builtin::counter_factory, gw_counter, engine);
  CHECK(m->subscription() == std::vector<event_type>{{"gw", "*"}});
  REQUIRE(engine.timers.size() == 1);
  CHECK(engine.timers[0].first == 500ms);

  CHECK(m->process(some_source, make_event({"gw", "b"}, {}, {1, 5})).empty());
  CHECK(m->process(some_source,
                   make_event({"gw", "a"}, payload_json{"1"}, {2, 0}))
          .empty());
  CHECK(m->process(some_source, make_event({"gw", "b"}, {}, {3, 7})).empty());
  CHECK(engine.registrations.empty());

  engine.fire_timers();
  REQUIRE(engine.registrations.size() == 1);
  const auto& first = engine.registrations[0].events;
  REQUIRE(first.size() == 2);
  CHECK(first[0].type == event_type{"stats", "gw", "a"});
  CHECK_FALSE(first[0].source_timestamp);
  CHECK(payload_text(first[0]) ==
        R"({"count":1,"first":{"s":2,"us":0},"last":{"s":2,"us":0}})");
  CHECK(first[1].type == event_type{"stats", "gw", "b"});
  CHECK(payload_text(first[1]) ==
        R"({"count":2,"first":{"s":1,"us":5},"last":{"s":3,"us":7}})");
  REQUIRE(engine.timers.size() == 1);
  CHECK(engine.timers[0].first == 500ms);

  // Nothing new: no report, but the timer runs on.
  engine.fire_timers();
  CHECK(engine.registrations.size() == 1);
  REQUIRE(engine.timers.size() == 1);

  // Only the type that changed, with its total since the start.
  m->process(some_source, make_event({"gw", "b"}, {}, {4, 0}));
  engine.fire_timers();
  REQUIRE(engine.registrations.size() == 2);
  const auto& second = engine.registrations[1].events;
  REQUIRE(second.size() == 1);
  CHECK(second[0].type == event_type{"stats", "gw", "b"});
  CHECK(payload_text(second[0]) ==
        R"({"count":3,"first":{"s":1,"us":5},"last":{"s":4,"us":0}})");
  CHECK(engine.timers.size() == 1);
}

TEST_CASE("counter: a failed report is sent again next period") {
  fake_engine engine;
  auto m = create(hat::modules::builtin::counter_factory, gw_counter, engine);
  m->process(some_source, make_event({"gw", "a"}, {}, {1, 0}));
  engine.fire_timers();
  REQUIRE(engine.registrations.size() == 1);
  engine.registrations[0].done(std::nullopt);

  engine.fire_timers();
  REQUIRE(engine.registrations.size() == 2);
  REQUIRE(engine.registrations[1].events.size() == 1);
  CHECK(engine.registrations[1].events[0].type ==
        event_type{"stats", "gw", "a"});
  engine.registrations[1].done(std::vector<event>{});

  engine.fire_timers();
  CHECK(engine.registrations.size() == 2);
}

TEST_CASE("counter: a report completing after the module is gone is ignored") {
  fake_engine engine;
  auto m = create(hat::modules::builtin::counter_factory, gw_counter, engine);
  m->process(some_source, make_event({"gw", "a"}, {}, {1, 0}));
  engine.fire_timers();
  REQUIRE(engine.registrations.size() == 1);
  m.reset();
  engine.registrations[0].done(std::nullopt);
}

TEST_CASE("counter: the period is rounded up to whole milliseconds") {
  fake_engine engine;
  auto m = create(hat::modules::builtin::counter_factory,
                  R"({"module": "counter", "subscriptions": [["a"]],
                      "type": ["n"], "period": 0.0001})",
                  engine);
  REQUIRE(engine.timers.size() == 1);
  CHECK(engine.timers[0].first == 1ms);
  auto whole = create(hat::modules::builtin::counter_factory,
                      R"({"module": "counter", "subscriptions": [["a"]],
                          "type": ["n"], "period": 2})",
                      engine);
  REQUIRE(engine.timers.size() == 2);
  CHECK(engine.timers[1].first == 2000ms);
}

TEST_CASE("counter: refuses reports that it would count") {
  const auto& factory = hat::modules::builtin::counter_factory;
  CHECK_THROWS_WITH_AS(
    create(factory, R"({"module": "counter", "subscriptions": [["*"]],
                        "type": ["stats"], "period": 1})"),
    "counter: type: reports with types stats/* would match subscriptions "
    "and be counted, reported and counted again, forever",
    std::invalid_argument);
  CHECK_THROWS_AS(
    create(factory, R"({"module": "counter", "subscriptions": [["gw", "*"]],
                        "type": [], "period": 1})"),
    std::invalid_argument);
  // s/x/y matches ?/*.
  CHECK_THROWS_AS(
    create(factory, R"({"module": "counter", "subscriptions": [["?", "*"]],
                        "type": ["s"], "period": 1})"),
    std::invalid_argument);
  // Reports are longer than what they count: s/x/a never matches ?/a.
  CHECK_NOTHROW(
    create(factory, R"({"module": "counter", "subscriptions": [["?", "a"]],
                        "type": ["s"], "period": 1})"));
}

TEST_CASE("counter: refuses malformed configurations naming the field") {
  const auto& factory = hat::modules::builtin::counter_factory;
  const std::string period_problem =
    "counter: period: expected a number of seconds > 0 and <= 1000000000";
  for (const auto* period : {"0", "-1", "1e10"})
    CHECK_THROWS_WITH_AS(
      create(factory,
             std::string(R"({"module": "counter", "subscriptions": [["a"]],
                             "type": ["s"], "period": )") +
               period + "}"),
      period_problem.c_str(), std::invalid_argument);
  CHECK_THROWS_WITH_AS(
    create(factory, R"({"module": "counter", "subscriptions": [["a"]],
                        "type": ["s"], "period": "1"})"),
    "counter: period: expected a number of seconds", std::invalid_argument);
  CHECK_THROWS_WITH_AS(
    create(factory, R"({"module": "counter", "subscriptions": [["a"]],
                        "type": ["s"]})"),
    "counter: period: missing", std::invalid_argument);
  CHECK_THROWS_WITH_AS(
    create(factory, R"({"module": "counter", "subscriptions": [["a"]],
                        "type": ["?"], "period": 1})"),
    "counter: type: event type '?' contains the reserved segment '?'",
    std::invalid_argument);
}

// -- payload_guard --

namespace {

/// gw/* payloads must be objects with a number at "value".
std::string guard_conf(std::string outputs) {
  return R"({"module": "payload_guard", "subscriptions": [["gw", "*"]],
    "conditions": [{"subscriptions": [["gw", "?"]],
                    "condition": {"type": "json", "data_path": "value",
                                  "data_type": "number"}}],
    )" + outputs + "}";
}

}  // namespace

TEST_CASE("payload_guard: events satisfying the conditions pass") {
  auto m = create(hat::modules::builtin::payload_guard_factory,
                  guard_conf(R"("reject_type": ["rejected"])"));
  CHECK(m->subscription() == std::vector<event_type>{{"gw", "*"}});
  CHECK(m->process(some_source,
                   make_event({"gw", "a"}, payload_json{R"({"value": 1.5})"}))
          .empty());
  // No condition applies to gw/a/b.
  CHECK(m->process(some_source, make_event({"gw", "a", "b"}, std::nullopt))
          .empty());
}

TEST_CASE("payload_guard: reports failing events") {
  auto m = create(hat::modules::builtin::payload_guard_factory,
                  guard_conf(R"("reject_type": ["rejected"])"));

  auto out = m->process(
    some_source, make_event({"gw", "a"}, payload_json{R"({"value": "1.0"})"},
                            {10, 0}, timestamp{5, 0}));
  REQUIRE(out.size() == 1);
  CHECK(out[0].type == event_type{"rejected", "gw", "a"});
  CHECK_FALSE(out[0].source_timestamp);
  CHECK(payload_text(out[0]) ==
        R"({"id":{"server":1,"session":2,"instance":3},"type":["gw","a"],)"
        R"("payload":{"value": "1.0"},)"
        R"("reason":"payload fails the conditions"})");
  CHECK(json::parse(payload_text(out[0])).is_object());

  out = m->process(some_source,
                   make_event({"gw", "b"}, payload_binary{"t", "{}"}));
  REQUIRE(out.size() == 1);
  CHECK(payload_text(out[0]) ==
        R"({"id":{"server":1,"session":2,"instance":3},"type":["gw","b"],)"
        R"("payload":null,"reason":"binary payload"})");

  out = m->process(some_source, make_event({"gw", "b"}, std::nullopt));
  REQUIRE(out.size() == 1);
  CHECK(payload_text(out[0]) ==
        R"({"id":{"server":1,"session":2,"instance":3},"type":["gw","b"],)"
        R"("payload":null,"reason":"no payload"})");

  out = m->process(some_source,
                   make_event({"gw", "b"}, payload_json{R"({"value": )"}));
  REQUIRE(out.size() == 1);
  CHECK(payload_text(out[0]) ==
        R"({"id":{"server":1,"session":2,"instance":3},"type":["gw","b"],)"
        R"("payload":null,"reason":"payload is not valid JSON"})");
}

TEST_CASE("payload_guard: rewrites failing events with the default") {
  auto both = create(hat::modules::builtin::payload_guard_factory,
                     guard_conf(R"("reject_type": ["rejected"],
                                   "rewrite_type": ["fixed"],
                                   "default_payload": {"value": 0,
                                                       "note": "default"})"));
  auto out = both->process(
    some_source,
    make_event({"gw", "a"}, payload_json{"[]"}, {10, 0}, timestamp{5, 6}));
  REQUIRE(out.size() == 2);
  CHECK(out[0].type == event_type{"rejected", "gw", "a"});
  CHECK(out[1] == register_event{{"fixed", "gw", "a"},
                                 timestamp{5, 6},
                                 payload_json{
                                   R"({"value":0,"note":"default"})"}});

  auto rewrite_only = create(hat::modules::builtin::payload_guard_factory,
                             guard_conf(R"("rewrite_type": ["fixed"],
                                           "default_payload": null)"));
  out = rewrite_only->process(some_source,
                              make_event({"gw", "a"}, std::nullopt));
  REQUIRE(out.size() == 1);
  CHECK(out[0] == register_event{{"fixed", "gw", "a"}, std::nullopt,
                                 payload_json{"null"}});
  CHECK(rewrite_only
          ->process(some_source,
                    make_event({"gw", "a"}, payload_json{R"({"value":2})"}))
          .empty());
}

TEST_CASE("payload_guard: refuses added events it would check again") {
  const auto& factory = hat::modules::builtin::payload_guard_factory;
  CHECK_THROWS_WITH_AS(
    create(factory, guard_conf(R"("reject_type": [])")),
    "payload_guard: reject_type: added events with types gw/* would match "
    "subscriptions and be checked again, possibly forever",
    std::invalid_argument);
  CHECK_THROWS_WITH_AS(
    create(factory,
           R"({"module": "payload_guard", "subscriptions": [["*"]],
               "conditions": [], "rewrite_type": ["fixed"],
               "default_payload": 1})"),
    "payload_guard: rewrite_type: added events with types fixed/* would "
    "match subscriptions and be checked again, possibly forever",
    std::invalid_argument);
}

TEST_CASE("payload_guard: refuses malformed configurations naming the field") {
  const auto& factory = hat::modules::builtin::payload_guard_factory;
  CHECK_THROWS_WITH_AS(create(factory, guard_conf(R"("other": 1)")),
                       "payload_guard: reject_type: missing (give "
                       "reject_type, rewrite_type or both)",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(
    create(factory, guard_conf(R"("rewrite_type": ["fixed"])")),
    "payload_guard: default_payload: missing (rewrite_type needs it)",
    std::invalid_argument);
  CHECK_THROWS_WITH_AS(
    create(factory,
           guard_conf(R"("reject_type": ["r"], "default_payload": 1)")),
    "payload_guard: rewrite_type: missing (default_payload needs it)",
    std::invalid_argument);
  CHECK_THROWS_WITH_AS(
    create(factory,
           R"({"module": "payload_guard", "subscriptions": [["a"]],
               "reject_type": ["r"]})"),
    "payload_guard: conditions: missing", std::invalid_argument);
  CHECK_THROWS_WITH_AS(
    create(factory,
           R"({"module": "payload_guard", "subscriptions": [["a"]],
               "conditions": {}, "reject_type": ["r"]})"),
    "payload_guard: conditions: expected a list", std::invalid_argument);
  CHECK_THROWS_WITH_AS(
    create(factory,
           R"({"module": "payload_guard", "subscriptions": [["a"]],
               "conditions": [{"subscriptions": [["a"]],
                               "condition": {"type": "xor"}}],
               "reject_type": ["r"]})"),
    "payload_guard: conditions: lmdb conditions: unsupported condition type",
    std::invalid_argument);
}

// -- all of them --

namespace {

/// Throws unless `schema` only uses what the server's validator supports.
void check_schema(const json::value& schema, const std::string& path) {
  static const std::set<std::string_view> keywords{
    "type", "properties", "required", "additionalProperties", "items",
    "minItems", "maxItems", "enum", "const", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
    "pattern", "oneOf", "anyOf", "allOf", "not", "$ref", "definitions",
    "title", "description"};
  INFO(path);
  REQUIRE(schema.is_object());
  for (const auto& [key, value] : schema.get_object()) {
    CHECK_MESSAGE(keywords.count(key), "unsupported keyword ", key);
    auto child = path + "/" + std::string(key);
    if (key == "properties" || key == "definitions")
      for (const auto& [name, sub] : value.as_object())
        check_schema(sub, child + "/" + std::string(name));
    else if (key == "items" || key == "not" ||
             (key == "additionalProperties" && value.is_object()))
      check_schema(value, child);
    else if (key == "oneOf" || key == "anyOf" || key == "allOf")
      for (const auto& sub : value.as_array())
        check_schema(sub, child);
    else if (key == "$ref")
      CHECK(value.as_string().starts_with("#/definitions/"));
  }
}

}  // namespace

TEST_CASE("builtin: every module is found by name with a usable schema") {
  std::vector<std::string> names;
  for (const auto* factory : hat::modules::builtin_modules()) {
    names.emplace_back(factory->name);
    CHECK(hat::modules::find_builtin(factory->name) == factory);
    CHECK(factory->abi_version == hat::modules::abi_version);
    REQUIRE(static_cast<bool>(factory->create));
    REQUIRE(factory->json_schema != nullptr);
    auto schema = json::parse(factory->json_schema);
    check_schema(schema, factory->name);
    const auto& object = schema.as_object();
    CHECK(object.at("properties").as_object().contains("module"));
    bool requires_module = false;
    for (const auto& key : object.at("required").as_array())
      requires_module = requires_module || key == "module";
    CHECK(requires_module);
  }
  CHECK(names ==
        std::vector<std::string>{"copy", "counter", "payload_guard"});
  CHECK(hat::modules::find_builtin("nope") == nullptr);
}
