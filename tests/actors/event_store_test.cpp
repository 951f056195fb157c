// The event store's rules on the deterministic coordinator, with a scripted
// backend: when batches become persisted, which flush answers a flush
// request, map_full and failing jobs, what starts a flush, the cleanup
// sequence, flushes before cleanups, and the last flush on exit. The writer
// stays on the test scheduler, so a test can hold a job with it while the
// store goes on.

#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/event_store.hpp"
#include "actors/server_error.hpp"
#include "tests/actors/deterministic_fixture.hpp"
#include "tests/actors/scripted_backend.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

struct notification {
  storage::event_batch batch;
  bool persisted;
};

using notifications = std::vector<notification>;

/// Stands in for the fan-out: records what the store reports. Only
/// atom::notify of notify_fanout_actor is ever sent by the store.
caf::behavior recording_fanout(caf::event_based_actor* self,
                               std::shared_ptr<notifications> out) {
  return {
    [out](atom::notify, const storage::event_batch& batch, bool persisted) {
      out->push_back({batch, persisted});
    },
    // A test's order to ask `store` for a flush; the answer arrives in the
    // same mailbox as the notifications, so their order is the order in
    // which the store sent them. Recorded as a batch-less entry.
    [self, out](atom::flush, const event_store_actor& store) {
      self->request(store, caf::infinite, atom::flush::value)
        .then([out](atom::ok) { out->push_back({nullptr, false}); });
    },
  };
}

struct flush_answers {
  int ok = 0;
  std::vector<caf::error> errors;
};

/// Asks the store for one flush and records the answer.
void flush_asker(caf::event_based_actor* self, event_store_actor store,
                 std::shared_ptr<flush_answers> answers) {
  self->request(store, caf::infinite, atom::flush::value)
    .then([answers](atom::ok) { ++answers->ok; },
          [answers](caf::error& err) { answers->errors.push_back(err); });
}

/// Asks the store for the latest event of every type.
void query_asker(caf::event_based_actor* self, event_store_actor store,
                 std::shared_ptr<std::vector<query_result>> answers) {
  self
    ->request(store, caf::infinite, atom::query::value,
              query_params{query_latest_params{}})
    .then([answers](query_result& result) {
      answers->push_back(std::move(result));
    });
}

/// One event of session `session`, its type named after the session.
storage::event_batch make_batch(int64_t session) {
  return std::make_shared<const std::vector<event>>(std::vector<event>{
    event{event_id{1, session, 1},
          event_type{"test", std::to_string(session)},
          timestamp{session, 0}, std::nullopt, std::nullopt}});
}

/// What a session sender (the engine's part) heard from the store.
struct pause_log {
  /// Events kept, by the receipts.
  size_t stored = 0;
  int told = 0;
  int released = 0;
};

/// Sends session `session` and, when its receipt says pause, waits for
/// the store's atom::backlog answer as the engine does.
void session_sender(caf::event_based_actor* self, event_store_actor store,
                    int64_t session, std::shared_ptr<pause_log> log) {
  self->request(store, caf::infinite, atom::store::value, make_batch(session))
    .then([self, store, log](store_receipt receipt) {
      log->stored += receipt.stored;
      if (!receipt.pause)
        return;
      ++log->told;
      self->request(store, caf::infinite, atom::backlog::value)
        .then([log](atom::ok) { ++log->released; });
    });
}

struct store_fixture : test::deterministic_fixture {
  std::shared_ptr<test::scripted_backend> backend =
    std::make_shared<test::scripted_backend>();
  std::shared_ptr<notifications> notified =
    std::make_shared<notifications>();
  notify_fanout_actor fanout = caf::actor_cast<notify_fanout_actor>(
    system.spawn(recording_fanout, notified));
  event_store_actor store;
  /// The store's writer, known once the store ran its setup.
  storage_writer_actor writer;
  /// Monitors the store.
  caf::scoped_actor watcher{system};
  std::optional<caf::error> down_reason;

  ~store_fixture() {
    // Stop the store before the backend goes: its jobs write the journal.
    // Killed: a store still waiting for its writer (when a test failed)
    // would never end. Its end also ends its timers, which would otherwise
    // keep the coordinator's shutdown loop going.
    caf::anon_send_exit(store, caf::exit_reason::kill);
    caf::anon_send_exit(fanout, caf::exit_reason::kill);
    run();
  }

  /// Spawns the store and runs its setup only: a job it hands out at start
  /// stays with the writer.
  void spawn_store(event_store_options options) {
    options.detached_writer = false;
    store = system.spawn(event_store, backend, fanout, options);
    watcher->monitor(store);
    step(store);
    // Read from the store's state: the writer is no part of its interface,
    // but tests must be able to hold its jobs back.
    auto self = dynamic_cast<hat::store_pointer>(caf::actor_cast<caf::abstract_actor*>(store));
    REQUIRE(self != nullptr);
    writer = self->state.writer;
    REQUIRE(writer);
  }

  /// Spawns the store and runs everything that follows.
  void start(event_store_options options) {
    spawn_store(options);
    run();
  }

  /// Runs one message of `handle`, which must have one.
  template <class Handle>
  void step(const Handle& handle) {
    REQUIRE(sched.prioritize(handle));
    sched.run_once();
  }

  /// Runs every actor but the writer, which keeps any job it was given.
  size_t run_except_writer() {
    auto held = dynamic_cast<caf::resumable*>(
      caf::actor_cast<caf::abstract_actor*>(writer));
    return sched.run_jobs_filtered(
      [held](caf::resumable* job) { return job != held; });
  }

  /// Session 1 registered and its flush (started by the timer) held with
  /// the writer: the state in which the store must go on without it.
  void hold_flush_of_session_1() {
    store_batch(1);
    run();
    REQUIRE(sched.trigger_timeout());
    run_except_writer();
    REQUIRE(journal() == "start_flush");
  }

  void store_batch(int64_t session) {
    caf::anon_send(store, atom::store::value, make_batch(session));
  }

  std::shared_ptr<flush_answers> ask_flush() {
    auto answers = std::make_shared<flush_answers>();
    system.spawn(flush_asker, store, answers);
    return answers;
  }

  /// What the fan-out got, e.g. "1 registered, 1 persisted" (batches named
  /// by their session; "flush answered" for a flush the fan-out asked for).
  std::string fanout_log() const {
    std::string text;
    for (auto& n : *notified) {
      if (!text.empty())
        text += ", ";
      if (!n.batch) {
        text += "flush answered";
        continue;
      }
      text += std::to_string((*n.batch)[0].id.session);
      text += n.persisted ? " persisted" : " registered";
    }
    return text;
  }

  /// The backend's journal as one line.
  std::string journal() const {
    std::string text;
    for (auto& entry : backend->journal) {
      if (!text.empty())
        text += ", ";
      text += entry;
    }
    return text;
  }

  /// The store's exit reason once it is down.
  std::optional<caf::error> store_down() {
    if (!down_reason)
      watcher->receive(
        [this](caf::down_msg& msg) { down_reason = msg.reason; },
        caf::after(std::chrono::seconds{0}) >> [] {});
    return down_reason;
  }
};

const storage::write_outcome more = storage::write_outcome::more;
const storage::write_outcome done = storage::write_outcome::done;

}  // namespace

TEST_CASE_FIXTURE(store_fixture,
                  "event store: persisted only after the writer committed") {
  start({.flush_period = 100ms});
  store_batch(1);
  run();
  CHECK(fanout_log() == "1 registered");

  REQUIRE(sched.trigger_timeout());
  run_except_writer();
  // The flush job is with the writer, not run yet.
  CHECK(journal() == "start_flush");
  CHECK(fanout_log() == "1 registered");

  step(writer);
  // Committed; the reply waits in the store's mailbox.
  CHECK(journal() == "start_flush, run flush");
  CHECK(fanout_log() == "1 registered");
  CHECK(sched.has_job());
  run_except_writer();
  CHECK(fanout_log() == "1 registered, 1 persisted");
  CHECK(journal() == "start_flush, run flush, finish_flush");
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: the receipt and the fan-out count only what "
                  "the backend kept") {
  start({.flush_period = 1h});
  backend->skipped_sessions = {2};
  auto log = std::make_shared<pause_log>();
  system.spawn(session_sender, store, int64_t{1}, log);
  system.spawn(session_sender, store, int64_t{2}, log);
  system.spawn(session_sender, store, int64_t{3}, log);
  run();
  CHECK(log->stored == 2);
  CHECK(log->told == 0);
  auto answers = ask_flush();
  run();
  CHECK(answers->ok == 1);
  // Session 2 was skipped: neither registered nor persisted.
  CHECK(fanout_log()
        == "1 registered, 3 registered, 1 persisted, 3 persisted");
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: batches are reported persisted before the "
                  "flush is answered") {
  // The server's shutdown relies on it: once its flush is answered, what
  // it asks the fan-out is answered after the persisted batches.
  start({});
  store_batch(1);
  caf::anon_send(caf::actor_cast<caf::actor>(fanout), atom::flush::value,
                 store);
  run();
  CHECK(fanout_log() == "1 registered, 1 persisted, flush answered");
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: a query is answered while a flush runs") {
  start({.flush_period = 100ms});
  hold_flush_of_session_1();

  // Registered while the job is with the writer: queries see it too.
  store_batch(2);
  auto answers = std::make_shared<std::vector<query_result>>();
  system.spawn(query_asker, store, answers);
  run_except_writer();
  REQUIRE(answers->size() == 1);
  auto& events = (*answers)[0].events;
  REQUIRE(events.size() == 2);
  CHECK(events[0].id.session == 1);
  CHECK(events[1].id.session == 2);
  // The flush job still waits.
  CHECK(journal() == "start_flush");
  CHECK(fanout_log() == "1 registered, 2 registered");

  run();
  CHECK(fanout_log() == "1 registered, 2 registered, 1 persisted");
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: a flush asked for during a flush waits for "
                  "the next one") {
  start({});
  store_batch(1);
  auto first = ask_flush();
  run_except_writer();
  REQUIRE(journal() == "start_flush");

  // Asked while batch 1's flush runs: batch 2 is not in it.
  store_batch(2);
  auto second = ask_flush();
  run_except_writer();

  step(writer);
  run_except_writer();
  CHECK(first->ok == 1);
  CHECK(second->ok == 0);
  CHECK(backend->count("run flush") == 1);
  CHECK(fanout_log() == "1 registered, 2 registered, 1 persisted");
  // The second flush started at once, for batch 2.
  CHECK(backend->count("start_flush") == 2);

  run();
  CHECK(first->ok == 1);
  CHECK(second->ok == 1);
  CHECK(second->errors.empty());
  CHECK(backend->count("run flush") == 2);
  CHECK(fanout_log()
        == "1 registered, 2 registered, 1 persisted, 2 persisted");
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: a flush with nothing to write is answered "
                  "at once") {
  start({});
  auto answers = ask_flush();
  run_except_writer();
  CHECK(answers->ok == 1);
  CHECK(journal() == "start_flush");
  // The writer got nothing.
  CHECK_FALSE(sched.has_job());

  store_batch(1);
  ask_flush();
  run();
  REQUIRE(fanout_log() == "1 registered, 1 persisted");
  // Everything is persisted: the next one needs no job either.
  answers = ask_flush();
  run_except_writer();
  CHECK(answers->ok == 1);
  CHECK(backend->count("run flush") == 1);
  CHECK_FALSE(sched.has_job());
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: map_full grows the map and runs the job "
                  "again") {
  start({});
  backend->map_full_once = true;
  store_batch(1);
  auto answers = ask_flush();
  run_except_writer();
  step(writer);
  step(store);
  // Grown while no job runs, the same job handed out again; nothing is
  // persisted or answered yet.
  CHECK(journal() == "start_flush, run flush, grow_map");
  CHECK(fanout_log() == "1 registered");
  CHECK(answers->ok == 0);

  run();
  CHECK(journal() == "start_flush, run flush, grow_map, run flush, "
                     "finish_flush");
  CHECK(fanout_log() == "1 registered, 1 persisted");
  CHECK(answers->ok == 1);
  CHECK_FALSE(store_down());
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: a failing job stops the store with an error") {
  start({});
  backend->throw_on_flush = true;
  store_batch(1);
  auto answers = ask_flush();
  run();
  auto reason = store_down();
  REQUIRE(reason);
  CHECK(is(*reason, ec::storage_failed));
  CHECK(journal() == "start_flush, run flush");
  CHECK(fanout_log() == "1 registered");
  CHECK(answers->ok == 0);
}

// A promise dropped with the store's state would leave a requester with
// an infinite timeout (the server's shutdown) waiting forever.
TEST_CASE_FIXTURE(store_fixture,
                  "event store: flush waiters hear of a failed flush") {
  start({});
  backend->throw_on_flush = true;
  store_batch(1);
  auto answers = ask_flush();
  run();
  CHECK(answers->errors.size() == 1);
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: a full backlog starts a flush without the "
                  "timer") {
  start({.flush_period = 1h});
  store_batch(1);
  run();
  CHECK(journal() == "");

  backend->backlog = true;
  store_batch(2);
  run();
  CHECK(journal() == "start_flush, run flush, finish_flush");
  CHECK(fanout_log()
        == "1 registered, 2 registered, 1 persisted, 2 persisted");
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: a backlog still full while the writer is "
                  "busy pauses its sender until the next flush takes it") {
  start({.flush_period = 1h});
  store_batch(1);
  run();
  auto answers = ask_flush();
  run_except_writer();
  REQUIRE(journal() == "start_flush");  // batch 1's flush held

  backend->backlog = true;
  auto log = std::make_shared<pause_log>();
  system.spawn(session_sender, store, int64_t{2}, log);
  system.spawn(session_sender, store, int64_t{3}, log);
  run_except_writer();
  // Each receipt says pause; nothing answered while the writer holds the
  // first flush and the backlog waits behind it.
  CHECK(log->stored == 2);
  CHECK(log->told == 2);
  CHECK(log->released == 0);
  CHECK(journal() == "start_flush");

  run();
  CHECK(journal()
        == "start_flush, run flush, finish_flush, start_flush, run flush, "
           "finish_flush");
  CHECK(log->released == 2);
  CHECK(answers->ok == 1);
  CHECK(fanout_log()
        == "1 registered, 2 registered, 3 registered, 1 persisted, "
           "2 persisted, 3 persisted");
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: a full backlog with an idle writer pauses "
                  "nobody") {
  start({.flush_period = 1h});
  backend->backlog = true;
  auto log = std::make_shared<pause_log>();
  system.spawn(session_sender, store, int64_t{1}, log);
  run();
  CHECK(journal() == "start_flush, run flush, finish_flush");
  CHECK(log->stored == 1);
  CHECK(log->told == 0);
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: a finished flush is freed by the writer, "
                  "not the store") {
  start({.flush_period = 1h});
  hold_flush_of_session_1();
  step(writer);  // runs the flush, answers the store
  run_except_writer();
  // The store is done with the job; only the dispose message in the
  // writer's mailbox still holds it.
  CHECK(backend->count("finish_flush") == 1);
  CHECK_FALSE(backend->last_flush.expired());
  step(writer);
  CHECK(backend->last_flush.expired());
}

TEST_CASE_FIXTURE(store_fixture, "event store: the timer flushes every "
                                 "period") {
  start({.flush_period = 100ms});
  store_batch(1);
  run();
  sched.advance_time(99ms);
  run();
  CHECK(journal() == "");

  sched.advance_time(1ms);
  run();
  CHECK(journal() == "start_flush, run flush, finish_flush");
  CHECK(fanout_log() == "1 registered, 1 persisted");

  // The timer was set again.
  store_batch(2);
  sched.advance_time(99ms);
  run();
  CHECK(backend->count("run flush") == 1);
  sched.advance_time(1ms);
  run();
  CHECK(backend->count("run flush") == 2);
  CHECK(fanout_log()
        == "1 registered, 1 persisted, 2 registered, 2 persisted");
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: cleanups run back to back while there is "
                  "more, then every period") {
  backend->cleanup_outcomes = {more, more, done};
  start({.cleanup_period = 1min});
  // Three at start without any time passing.
  CHECK(backend->count("start_cleanup") == 3);
  CHECK(backend->count("run cleanup") == 3);

  sched.advance_time(59s);
  run();
  CHECK(backend->count("run cleanup") == 3);
  sched.advance_time(1s);
  run();
  CHECK(backend->count("run cleanup") == 4);
  // Done again (empty queue): the next one a period later.
  sched.advance_time(1min);
  run();
  CHECK(backend->count("run cleanup") == 5);
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: no cleanup job, no more cleanups") {
  backend->cleanup_limited = false;
  start({.cleanup_period = 1min});
  CHECK(journal() == "start_cleanup");
  CHECK_FALSE(sched.has_pending_timeout());
  sched.advance_time(1h);
  run();
  CHECK(journal() == "start_cleanup");
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: a wanted flush goes before a wanted "
                  "cleanup") {
  backend->cleanup_outcomes = {more, done};
  spawn_store({.cleanup_period = 1min});
  run_except_writer();
  REQUIRE(journal() == "start_cleanup");

  // While the first cleanup is with the writer.
  store_batch(1);
  auto answers = ask_flush();
  run_except_writer();
  step(writer);
  // Cleanup said more, but the flush goes first.
  step(store);
  CHECK(journal() == "start_cleanup, run cleanup, start_flush");

  run();
  CHECK(journal() == "start_cleanup, run cleanup, start_flush, run flush, "
                     "finish_flush, start_cleanup, run cleanup");
  CHECK(answers->ok == 1);
  CHECK(fanout_log() == "1 registered, 1 persisted");
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: on exit, the running job ends, then the "
                  "rest is flushed") {
  start({.flush_period = 100ms});
  hold_flush_of_session_1();

  store_batch(2);
  auto answers = ask_flush();
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  run_except_writer();
  // Still there, waiting for the writer.
  CHECK_FALSE(store_down());
  CHECK(journal() == "start_flush");
  CHECK(fanout_log() == "1 registered, 2 registered");
  CHECK(answers->ok == 0);

  run();
  // Batch 1 by the writer's job, batch 2 by the last flush.
  CHECK(journal() == "start_flush, run flush, finish_flush, start_flush, "
                     "run flush, finish_flush");
  CHECK(fanout_log()
        == "1 registered, 2 registered, 1 persisted, 2 persisted");
  CHECK(answers->ok == 1);
  auto reason = store_down();
  REQUIRE(reason);
  CHECK(*reason == caf::exit_reason::user_shutdown);
}

// The last flush failing must not look like a clean stop: waiters hear an
// error and the store goes down with one.
TEST_CASE_FIXTURE(store_fixture,
                  "event store: a failing last flush is no success") {
  start({.flush_period = 100ms});
  store_batch(1);
  run();
  REQUIRE(sched.trigger_timeout());
  run_except_writer();
  store_batch(2);
  auto answers = ask_flush();
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  run_except_writer();
  step(writer);
  // Batch 1 committed; the last flush, for batch 2, fails.
  backend->throw_on_flush = true;
  run();
  CHECK(answers->ok == 0);
  CHECK(answers->errors.size() == 1);
  auto reason = store_down();
  REQUIRE(reason);
  CHECK(*reason != caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: on exit with the writer idle, pending "
                  "batches are flushed at once") {
  start({.flush_period = 1h});
  store_batch(1);
  run();
  caf::anon_send_exit(store, caf::exit_reason::user_shutdown);
  step(store);
  CHECK(journal() == "start_flush, run flush, finish_flush");
  run();
  CHECK(fanout_log() == "1 registered, 1 persisted");
  auto reason = store_down();
  REQUIRE(reason);
  CHECK(*reason == caf::exit_reason::user_shutdown);
}

TEST_CASE_FIXTURE(store_fixture,
                  "event store: a flush asked for moves the periodic flush "
                  "a period later (the earlier timer is stale)") {
  start({.flush_period = 100ms});
  store_batch(1);
  run();
  sched.advance_time(60ms);
  auto answers = ask_flush();
  run();
  REQUIRE(answers->ok == 1);
  REQUIRE(backend->count("run flush") == 1);

  // The timer set at start fires at 100 ms: stale, no flush.
  store_batch(2);
  sched.advance_time(40ms);
  run();
  CHECK(backend->count("run flush") == 1);
  // A period after the asked flush.
  sched.advance_time(59ms);
  run();
  CHECK(backend->count("run flush") == 1);
  sched.advance_time(1ms);
  run();
  CHECK(backend->count("run flush") == 2);
  CHECK(fanout_log()
        == "1 registered, 1 persisted, 2 registered, 2 persisted");
}
