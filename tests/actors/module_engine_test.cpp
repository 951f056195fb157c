// The engine with modules on the deterministic coordinator: the
// reference's rounds (cascades, numbering in configuration order, only
// matching events offered, start/stop callbacks, the caller's events
// first), module registrations as later sessions, and injected faults:
// a module that throws, a module actor killed mid-round, one that cannot
// be created, one that does not answer.

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>

#include "actors/engine.hpp"
#include "actors/event_store.hpp"
#include "actors/notify_fanout.hpp"
#include "log/logger.hpp"
#include "tests/actors/deterministic_fixture.hpp"
#include "tests/actors/recording_backend.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

/// What every test module did, one line per callback, per module name.
using journal = std::map<std::string, std::vector<std::string>>;

/// A module scripted by its configuration: `name`, `subscriptions` and
/// `rules`, a map "type" -> list of types to register for an event of that
/// type. `throw_on` makes process throw for that type; `ping` makes it
/// register {"pong"} through the engine handle (a later session).
class scripted_module final : public modules::module {
public:
  scripted_module(const boost::json::object& conf,
                  modules::engine_handle& engine,
                  std::shared_ptr<journal> log)
      : engine_(engine), log_(std::move(log)) {
    name_ = conf.at("name").as_string().c_str();
    for (const auto& q : conf.at("subscriptions").as_array()) {
      event_type t;
      for (const auto& s : q.as_array())
        t.push_back(s.as_string().c_str());
      subscription_.push_back(t);
    }
    if (auto* rules = conf.if_contains("rules"))
      for (const auto& [type, outs] : rules->as_object())
        for (const auto& out : outs.as_array())
          rules_[std::string(type)].push_back(out.as_string().c_str());
    if (auto* t = conf.if_contains("throw_on"))
      throw_on_ = t->as_string().c_str();
    // A pending timer keeps the module's actor referenced.
    if (conf.contains("timer"))
      engine_.after(std::chrono::hours{1}, [] {});
  }

  ~scripted_module() override {
    (*log_)[name_].push_back("destroyed");
  }

  std::vector<event_type> subscription() const override {
    return subscription_;
  }

  void on_session_start(int64_t session) override {
    (*log_)[name_].push_back("start " + std::to_string(session));
  }

  std::vector<register_event> process(const event_source& source,
                                      const event& e) override {
    auto type = e.type.empty() ? std::string() : e.type.back();
    (*log_)[name_].push_back(
      "process " + type + " from " +
      std::to_string(static_cast<int>(source.type)) + "/" +
      std::to_string(source.id));
    if (type == throw_on_)
      throw std::runtime_error("injected process failure");
    if (type == "ping")
      engine_.register_events({register_event{{"pong"}, {}, {}}});
    if (type == "ask")
      ask();
    std::vector<register_event> out;
    if (type == "bad_payload") {
      auto log = log_;
      auto name = name_;
      engine_.register_events(
        {register_event{{"refused_later"}, {}, payload_json{"{abc"}}},
        [log, name](std::optional<std::vector<event>> events) {
          (*log)[name].push_back(events ? "registered" : "register failed");
        });
      (*log_)[name_].push_back("asked to register");
      out.push_back(register_event{{"refused_now"}, {}, payload_json{"NaN"}});
      out.push_back(register_event{{"kept"}, {}, payload_json{"[1]"}});
    }
    for (const auto& t : rules_[type])
      out.push_back(register_event{{t}, std::nullopt, std::nullopt});
    return out;
  }

  /// What the engine handle answers, each answer a journal line.
  void ask() {
    auto log = log_;
    auto name = name_;
    engine_.query(query_params{query_latest_params{}},
                  [log, name](std::optional<query_result> result) {
                    (*log)[name].push_back(
                      "query " + (result ? std::to_string(result->events.size())
                                         : std::string("failed")));
                  });
    engine_.client_names(
      [log, name](std::vector<modules::client_name> names) {
        (*log)[name].push_back("clients " + std::to_string(names.size()));
      });
    engine_.after(std::chrono::milliseconds{10}, [log, name] {
      (*log)[name].push_back("timer");
    });
    (*log)[name].push_back("server " + std::to_string(engine_.server_id()));
  }

  void on_session_stop(int64_t session) override {
    (*log_)[name_].push_back("stop " + std::to_string(session));
  }

private:
  modules::engine_handle& engine_;
  std::shared_ptr<journal> log_;
  std::string name_;
  std::vector<event_type> subscription_;
  std::map<std::string, std::vector<std::string>> rules_;
  std::string throw_on_;
};

std::shared_ptr<journal> the_journal;

std::unique_ptr<modules::module> create_scripted(
  const boost::json::object& conf, modules::engine_handle& engine,
  event_source) {
  if (conf.contains("fail_create"))
    throw std::runtime_error("injected constructor failure");
  return std::make_unique<scripted_module>(conf, engine, the_journal);
}

const modules::module_factory scripted_factory{
  .name = "scripted", .create = &create_scripted};

module_spec scripted(std::string_view json) {
  return module_spec{"scripted", &scripted_factory, nullptr,
                     boost::json::parse(json).as_object()};
}

/// Stands in for the server: counts restart requests.
caf::behavior counting_owner(caf::event_based_actor*,
                             std::shared_ptr<int> restarts) {
  return {
    [restarts](atom::restart) { ++*restarts; },
    [](atom::reset_ready) {},
    [](atom::started) {},
  };
}

struct module_fixture : test::deterministic_fixture {
  std::shared_ptr<test::recording_backend> backend =
    std::make_shared<test::recording_backend>();
  notify_fanout_actor fanout = system.spawn(notify_fanout, status::standby);
  event_store_actor store =
    system.spawn(event_store, backend, fanout, event_store_options{});
  std::shared_ptr<int> restarts = std::make_shared<int>(0);
  caf::actor owner = system.spawn(counting_owner, restarts);
  engine_actor engine;
  caf::scoped_actor watcher{system};
  std::vector<std::string> logged;

  module_fixture() {
    the_journal = std::make_shared<journal>();
    log::set_sink([this](std::string_view line) {
      logged.emplace_back(line);
    });
  }

  ~module_fixture() {
    for (auto a : {caf::actor_cast<caf::actor>(engine),
                   caf::actor_cast<caf::actor>(store),
                   caf::actor_cast<caf::actor>(fanout), owner})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    run();
    log::set_sink({});
  }

  void start(std::vector<module_spec> modules,
             std::chrono::milliseconds timeout = 0ms) {
    engine = system.spawn(
      hat::engine,
      engine_config{.server_id = 7,
                    .storage = store,
                    .fanout = fanout,
                    .owner = caf::actor_cast<engine_owner_actor>(owner),
                    .modules = std::move(modules),
                    .module_timeout = timeout});
    watcher->monitor(engine);
    run();
  }

  /// One session requested from outside; the reply or error is recorded.
  struct answer {
    std::optional<storage::event_batch> batch;
    std::optional<caf::error> error;
  };

  std::shared_ptr<answer> request(std::vector<std::string> types) {
    auto out = std::make_shared<answer>();
    std::vector<register_event> events;
    for (auto& t : types)
      events.push_back(register_event{{t}, std::nullopt, std::nullopt});
    // The int: CAF 0.17 spawns a function without arguments through a
    // null pointer (UBSan reports it).
    system.spawn([this, out, events](caf::event_based_actor* self, int) {
      self
        ->request(engine, caf::infinite, atom::register_::value,
                  event_source{event_source::kind::eventer, 42}, events)
        .then([out](const storage::event_batch& b) { out->batch = b; },
              [out](caf::error& e) { out->error = e; });
    }, 0);
    return out;
  }

  std::vector<std::string> types_of(const std::vector<event>& session) {
    std::vector<std::string> types;
    for (auto& e : session)
      types.push_back(e.type.back());
    return types;
  }

  /// The engine's module actors (read from its state: tests hold them
  /// back or kill them).
  std::vector<module_actor> modules_of_engine() {
    auto self = dynamic_cast<hat::engine_pointer>(
      caf::actor_cast<caf::abstract_actor*>(engine));
    REQUIRE(self != nullptr);
    return self->state.modules;
  }

  /// Runs every actor but the modules, which keep what they were sent.
  size_t run_except_modules() {
    std::vector<caf::resumable*> held;
    for (auto& m : modules_of_engine())
      held.push_back(dynamic_cast<caf::resumable*>(
        caf::actor_cast<caf::abstract_actor*>(m)));
    return sched.run_jobs_filtered([held](caf::resumable* job) {
      return std::find(held.begin(), held.end(), job) == held.end();
    });
  }

  bool logged_containing(std::string_view text) const {
    for (auto& line : logged)
      if (line.find(text) != std::string::npos)
        return true;
    return false;
  }

  std::optional<caf::error> engine_down() {
    std::optional<caf::error> reason;
    watcher->receive([&](caf::down_msg& msg) { reason = msg.reason; },
                     caf::after(0s) >> [] {});
    return reason;
  }
};

using strings = std::vector<std::string>;

}  // namespace

TEST_CASE_FIXTURE(module_fixture,
                  "modules: rounds cascade, numbered in configuration "
                  "order, the caller's events first") {
  start({
    scripted(R"({"name": "A", "subscriptions": [["a"], ["b"]],
                 "rules": {"a": ["a1", "a2"], "b": ["b1"]}})"),
    scripted(R"({"name": "B", "subscriptions": [["a"], ["a1"]],
                 "rules": {"a": ["x"], "a1": ["y"]}})"),
    scripted(R"({"name": "quiet", "subscriptions": [["nothing"]]})"),
  });
  REQUIRE(backend->sessions.size() == 1);  // STARTED
  auto reply = request({"a", "b"});
  run();
  REQUIRE(reply->batch);
  REQUIRE(backend->sessions.size() == 2);
  auto& session = backend->sessions[1];
  // Round 1: a, b (caller). A adds a1 a2 (for a) and b1 (for b), then B
  // adds x (for a). Round 2: a1 a2 b1 x; only B matches a1: y. Round 3: y,
  // nobody matches: quiet.
  CHECK(types_of(session) == strings{"a", "b", "a1", "a2", "b1", "x", "y"});
  for (size_t i = 0; i < session.size(); ++i) {
    CHECK(session[i].id == event_id{7, 2, static_cast<int64_t>(i + 1)});
    CHECK(session[i].timestamp == session[0].timestamp);
  }
  // The requester's answer is the stored session; its own events first.
  CHECK(**reply->batch == session);

  auto& j = *the_journal;
  CHECK(j["A"] == strings{"start 1", "stop 1", "start 2", "process a from 1/42",
                          "process b from 1/42", "stop 2"});
  CHECK(j["B"] == strings{"start 1", "stop 1", "start 2", "process a from 1/42",
                          "process a1 from 2/0", "stop 2"});
  CHECK(j["quiet"] == strings{"start 1", "stop 1", "start 2", "stop 2"});
}

TEST_CASE_FIXTURE(module_fixture,
                  "modules: STARTED goes through the modules, sessions stay "
                  "sequential") {
  start({scripted(R"({"name": "all", "subscriptions": [["*"]]})")});
  REQUIRE(backend->sessions.size() == 1);
  CHECK(backend->sessions[0][0].type == event_type{"event", "7", "engine"});
  CHECK((*the_journal)["all"] ==
        strings{"start 1", "process engine from 3/0", "stop 1"});

  auto first = request({"p"});
  auto second = request({"q"});
  run();
  REQUIRE(first->batch);
  REQUIRE(second->batch);
  REQUIRE(backend->sessions.size() == 3);
  CHECK((*first->batch)->at(0).id.session + 1 ==
        (*second->batch)->at(0).id.session);
  auto& j = (*the_journal)["all"];
  // No interleaving: each session starts after the previous one stopped.
  CHECK(strings(j.begin() + 3, j.end()) ==
        strings{"start 2", "process p from 1/42", "stop 2", "start 3",
                "process q from 1/42", "stop 3"});
}

TEST_CASE_FIXTURE(module_fixture,
                  "modules: a registration from inside process is a later "
                  "session, not a deadlock") {
  start({scripted(R"({"name": "pinger", "subscriptions": [["ping"]]})")});
  auto reply = request({"ping"});
  run();
  REQUIRE(reply->batch);
  REQUIRE(backend->sessions.size() == 3);
  CHECK(types_of(backend->sessions[1]) == strings{"ping"});
  CHECK(types_of(backend->sessions[2]) == strings{"pong"});
  CHECK(backend->sessions[2][0].id.session == 3);
}

TEST_CASE_FIXTURE(module_fixture,
                  "modules: invalid events from a module are refused with a "
                  "log line, the others registered") {
  start({scripted(
    R"({"name": "sloppy", "subscriptions": [["bad_payload"]]})")});
  auto reply = request({"bad_payload"});
  run();
  REQUIRE(reply->batch);
  // The session keeps the caller's event and the module's valid addition;
  // the registration through the handle never becomes a session.
  REQUIRE(backend->sessions.size() == 2);
  CHECK(types_of(backend->sessions[1]) == strings{"bad_payload", "kept"});
  auto& j = (*the_journal)["sloppy"];
  // Answered after the call returned, with failure.
  REQUIRE(j.size() >= 2);
  CHECK(std::find(j.begin(), j.end(), "asked to register") + 1
        == std::find(j.begin(), j.end(), "register failed"));
  CHECK(logged_containing("module 'scripted' (modules[0]): register refused: "
                          "event 1 of 1: invalid JSON payload of "
                          "'refused_later'"));
  CHECK(logged_containing("module 'scripted' (modules[0]): event refused: "
                          "invalid JSON payload of 'refused_now'"));
}

TEST_CASE_FIXTURE(module_fixture,
                  "modules: the engine handle answers queries, client names "
                  "and timers on the module's actor") {
  start({scripted(R"({"name": "asker", "subscriptions": [["ask"]]})")});
  auto reply = request({"ask"});
  run();
  REQUIRE(reply->batch);
  auto& j = (*the_journal)["asker"];
  // Asked inside process(): answered later, never inside the call. The
  // query sees what is stored (STARTED; the asking session is not yet).
  CHECK(std::find(j.begin(), j.end(), "server 7") != j.end());
  CHECK(std::find(j.begin(), j.end(), "query 1") != j.end());
  CHECK(std::find(j.begin(), j.end(), "clients 0") != j.end());
  CHECK(std::find(j.begin(), j.end(), "timer") == j.end());
  sched.advance_time(10ms);
  run();
  CHECK(j.back() == "timer");
}

TEST_CASE_FIXTURE(module_fixture,
                  "modules: a module that throws drops the session whole and "
                  "asks for a restart") {
  start({
    scripted(R"({"name": "A", "subscriptions": [["*"]],
                 "rules": {"bad": ["never"]}})"),
    scripted(R"({"name": "B", "subscriptions": [["bad"]],
                 "throw_on": "bad"})"),
  });
  auto failing = request({"bad"});
  auto queued = request({"fine"});
  run();
  CHECK(failing->error);
  CHECK(queued->error);
  CHECK(backend->sessions.size() == 1);  // STARTED only: nothing half-written
  CHECK(*restarts == 1);
  CHECK(logged_containing("module 'scripted' (modules[1]): process failed: "
                          "injected process failure"));
  // Closed until the owner restarts it: later requests are refused.
  auto later = request({"fine"});
  run();
  CHECK(later->error);
  CHECK(backend->sessions.size() == 1);

  // The owner stops it: STOPPED is stored, modules go with it.
  caf::anon_send_exit(engine, caf::exit_reason::user_shutdown);
  run();
  REQUIRE(backend->sessions.size() == 2);
  CHECK(backend->sessions[1][0].type == event_type{"event", "7", "engine"});
}

TEST_CASE_FIXTURE(module_fixture,
                  "modules: a module actor killed mid-round fails the "
                  "session and asks for a restart") {
  start({scripted(R"({"name": "victim", "subscriptions": [["*"]]})")});
  auto reply = request({"x"});
  // Let the engine send the round, then kill the module before it runs.
  run_except_modules();
  REQUIRE(!modules_of_engine().empty());
  caf::anon_send_exit(modules_of_engine()[0], caf::exit_reason::kill);
  run();
  CHECK(reply->error);
  CHECK(backend->sessions.size() == 1);
  CHECK(*restarts == 1);
}

TEST_CASE_FIXTURE(module_fixture,
                  "modules: a module that cannot be created stops the "
                  "engine with its error") {
  start({scripted(R"({"name": "fine", "subscriptions": [],
                      "timer": true})"),
         scripted(R"({"name": "broken", "subscriptions": [],
                      "fail_create": true})")});
  auto reason = engine_down();
  REQUIRE(reason);
  CHECK(system.render(*reason).find("injected constructor failure") !=
        std::string::npos);
  CHECK(backend->sessions.empty());  // not even STARTED
  CHECK(*restarts == 0);
  // The engine took the other module along, timer and all.
  run();
  auto& fine = (*the_journal)["fine"];
  REQUIRE_FALSE(fine.empty());
  CHECK(fine.back() == "destroyed");
}

TEST_CASE_FIXTURE(module_fixture,
                  "modules: a module that does not answer is reported by "
                  "name") {
  start({scripted(R"({"name": "slow", "subscriptions": [["*"]]})")}, 50ms);
  auto reply = request({"x"});
  run_except_modules();
  // The module's actor is held back: only the clock moves.
  sched.advance_time(49ms);
  run_except_modules();
  CHECK_FALSE(logged_containing("not answered"));
  sched.advance_time(1ms);
  run_except_modules();
  CHECK(logged_containing("modules[0] 'scripted' not answered process "
                          "within 50 ms"));
  // Still waiting: once it answers, the session completes.
  run();
  CHECK(reply->batch);
}

TEST_CASE_FIXTURE(module_fixture,
                  "modules: a restart asked during a session comes after "
                  "it, and queued requests are refused") {
  start({scripted(R"({"name": "A", "subscriptions": [["*"]]})")});
  auto running = request({"x"});
  run_except_modules();  // the round waits with the module
  caf::anon_send(engine, atom::restart::value);
  auto queued = request({"y"});
  run_except_modules();
  CHECK(*restarts == 0);  // not while the session runs
  run();
  REQUIRE(running->batch);
  CHECK(backend->sessions.size() == 2);
  CHECK(queued->error);
  CHECK(*restarts == 1);
}
