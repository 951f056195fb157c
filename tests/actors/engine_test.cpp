// The engine, event store and fan-out on the deterministic coordinator:
// session ordering under interleaved requests, and faults of requesters
// and of the backend.

#include <doctest/doctest.h>

#include <random>

#include "actors/engine.hpp"
#include "actors/event_store.hpp"
#include "actors/notify_fanout.hpp"
#include "tests/actors/deterministic_fixture.hpp"
#include "tests/actors/recording_backend.hpp"

using namespace hat;

namespace {

struct engine_fixture : test::deterministic_fixture {
  std::shared_ptr<test::recording_backend> backend =
    std::make_shared<test::recording_backend>();
  notify_fanout_actor fanout = system.spawn(notify_fanout, status::standby);
  event_store_actor store =
    system.spawn(event_store, backend, fanout, event_store_options{});
  engine_actor engine = system.spawn(
    hat::engine, engine_config{.server_id = 7,
                                 .storage = store,
                                 .fanout = {},
                                 .owner = {},
                                 .modules = {}});

  engine_fixture() {
    run();
  }

  ~engine_fixture() {
    for (auto a : {caf::actor_cast<caf::actor>(engine),
                   caf::actor_cast<caf::actor>(store),
                   caf::actor_cast<caf::actor>(fanout)})
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    run();
  }
};

register_event make_register(std::string name) {
  return register_event{{"test", std::move(name)}, std::nullopt,
                        payload_json{"1"}};
}

/// Requests one session per name from the engine, recording replies.
struct requester_state {
  std::vector<std::vector<event>> replies;
};

caf::behavior requester(caf::stateful_actor<requester_state>* self,
                        engine_actor engine, std::vector<std::string> names,
                        std::shared_ptr<std::vector<std::vector<event>>> out) {
  for (auto& name : names)
    self->request(engine, caf::infinite, atom::register_::value,
                  event_source{event_source::kind::eventer,
                               static_cast<int64_t>(self->id())},
                  std::vector<register_event>{make_register(name),
                                              make_register(name + "-b")})
      .then([out](const storage::event_batch& session) {
        out->push_back(*session);
      });
  return {[](int) {}};
}

}  // namespace

TEST_CASE_FIXTURE(engine_fixture,
                  "engine: the STARTED session comes first, ids continue") {
  REQUIRE(backend->sessions.size() == 1);
  auto& started = backend->sessions[0];
  REQUIRE(started.size() == 1);
  CHECK(started[0].id == event_id{7, 1, 1});
  CHECK(started[0].type == event_type{"event", "7", "engine"});
  CHECK(std::get<payload_json>(*started[0].payload).text == "\"STARTED\"");
}

TEST_CASE_FIXTURE(engine_fixture,
                  "engine: sessions stay sequential under interleaving") {
  auto replies = std::make_shared<std::vector<std::vector<event>>>();
  for (int c = 0; c < 5; ++c) {
    std::vector<std::string> names;
    for (int i = 0; i < 10; ++i)
      // Appended: GCC 12 at -O3 misreads "c" + std::string as an overlap.
      names.push_back(std::string{"c"}.append(std::to_string(c)).append(
        "-").append(std::to_string(i)));
    system.spawn(requester, engine, names, replies);
  }
  // Interleave the actors' turns in a seeded random order.
  std::mt19937 rng{11};
  while (sched.has_job()) {
    if (rng() % 2)
      sched.run_once();
    else
      sched.run_once_lifo();
  }
  REQUIRE(replies->size() == 50);
  REQUIRE(backend->sessions.size() == 51);
  int64_t previous_session = 1;
  for (size_t s = 1; s < backend->sessions.size(); ++s) {
    auto& session = backend->sessions[s];
    REQUIRE(session.size() == 2);
    // One session per request, strictly increasing, nothing interleaved.
    CHECK(session[0].id.session == previous_session + 1);
    previous_session = session[0].id.session;
    CHECK(session[0].id.instance == 1);
    CHECK(session[1].id.instance == 2);
    CHECK(session[0].timestamp == session[1].timestamp);
    CHECK(session[1].type[1] == session[0].type[1] + "-b");
  }
  // Every reply is exactly the stored session, in request order.
  for (auto& reply : *replies) {
    auto& stored = backend->sessions[reply[0].id.session - 1];
    CHECK(reply == stored);
  }
}

TEST_CASE_FIXTURE(engine_fixture,
                  "engine: a requester killed mid-request stops nothing") {
  auto replies = std::make_shared<std::vector<std::vector<event>>>();
  auto doomed = system.spawn(requester, engine,
                             std::vector<std::string>{"doomed"}, replies);
  // The request is in the engine's mailbox; its sender dies first.
  sched.run_once();
  caf::anon_send_exit(doomed, caf::exit_reason::kill);
  run();
  CHECK(replies->empty());
  REQUIRE(backend->sessions.size() == 2);

  system.spawn(requester, engine, std::vector<std::string>{"alive"}, replies);
  run();
  REQUIRE(replies->size() == 1);
  CHECK((*replies)[0][0].id.session == 3);
  CHECK((*replies)[0][0].type == event_type{"test", "alive"});
}

TEST_CASE_FIXTURE(engine_fixture,
                  "engine: an empty registration is no session") {
  auto answer = std::make_shared<std::optional<std::vector<event>>>();
  auto engine_handle = engine;
  // The handle is an argument, not a capture: CAF 0.17 spawns of functions
  // without arguments trip UBSan (see notify_fanout.hpp).
  system.spawn([answer](caf::event_based_actor* self,
                        engine_actor engine_handle) {
    self
      ->request(engine_handle, caf::infinite, atom::register_::value,
                event_source{}, std::vector<register_event>{})
      .then([answer](const storage::event_batch& session) {
        *answer = *session;
      });
  }, engine_handle);
  run();
  REQUIRE(answer->has_value());
  CHECK((*answer)->empty());
  CHECK(backend->sessions.size() == 1);
}

TEST_CASE_FIXTURE(engine_fixture,
                  "engine: STOPPED is stored when the engine exits") {
  caf::anon_send_exit(engine, caf::exit_reason::user_shutdown);
  run();
  REQUIRE(backend->sessions.size() == 2);
  auto& stopped = backend->sessions[1];
  CHECK(stopped[0].id == event_id{7, 2, 1});
  CHECK(std::get<payload_json>(*stopped[0].payload).text == "\"STOPPED\"");
}

TEST_CASE_FIXTURE(engine_fixture,
                  "event store: a failing backend stops the store cleanly") {
  caf::scoped_actor self{system};
  self->monitor(store);
  backend->fail_on_register = true;
  auto replies = std::make_shared<std::vector<std::vector<event>>>();
  system.spawn(requester, engine, std::vector<std::string>{"x"}, replies);
  run();
  caf::error reason;
  self->receive([&](caf::down_msg& msg) { reason = msg.reason; },
                caf::after(std::chrono::seconds{0}) >> [] {});
  CHECK(reason);
}

namespace {

/// What the pausing store stand-in saw.
struct pausing_log {
  std::vector<storage::event_batch> stored;
  caf::response_promise waiter;
  bool asked = false;
};

/// Stands in for the event store: its receipt of the first session
/// following STARTED says pause, and it answers the engine's atom::backlog
/// only when the test sends it atom::ok.
caf::behavior pausing_store(caf::event_based_actor* self,
                            std::shared_ptr<pausing_log> log) {
  return {
    [](atom::last_id, int64_t) { return event_id{7, 0, 0}; },
    [log](atom::store, storage::event_batch& batch) {
      log->stored.push_back(std::move(batch));
      return store_receipt{log->stored.back()->size(),
                           log->stored.size() == 2};
    },
    [self, log](atom::backlog) {
      log->asked = true;
      log->waiter = self->make_response_promise();
      return log->waiter;
    },
    [log](atom::ok) { log->waiter.deliver(atom::ok::value); },
  };
}

}  // namespace

TEST_CASE("engine: a full storage backlog holds sessions until released") {
  test::deterministic_fixture f;
  auto log = std::make_shared<pausing_log>();
  auto store = f.system.spawn(pausing_store, log);
  auto engine =
    f.system.spawn(hat::engine,
                   engine_config{.server_id = 7,
                                 .storage =
                                   caf::actor_cast<event_store_actor>(store),
                                 .fanout = {},
                                 .owner = {},
                                 .modules = {}});
  f.run();
  REQUIRE(log->stored.size() == 1);  // STARTED

  auto replies = std::make_shared<std::vector<std::vector<event>>>();
  f.system.spawn(requester, engine, std::vector<std::string>{"a"}, replies);
  f.run();
  CHECK(log->stored.size() == 2);
  CHECK(log->asked);

  f.system.spawn(requester, engine, std::vector<std::string>{"b", "c"},
                 replies);
  f.run();
  CHECK(log->stored.size() == 2);
  CHECK(replies->size() == 1);

  caf::anon_send(store, atom::ok::value);
  f.run();
  REQUIRE(log->stored.size() == 4);
  CHECK(replies->size() == 3);
  // Paused sessions keep their order and numbering.
  CHECK((*log->stored[2])[0].type == event_type{"test", "b"});
  CHECK((*log->stored[3])[0].id == event_id{7, 4, 1});

  caf::anon_send_exit(engine, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  f.run();
}
