// The sync actor on the deterministic coordinator, with a scripted peer
// connection and a recording store: the catch-up (pages, whole sessions,
// live notifications buffered and applied after, duplicates dropped,
// synced states), the live phase, reconnect timing on the test clock,
// and pacing by the store's receipts.

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "actors/sync_actor.hpp"
#include "tests/actors/deterministic_fixture.hpp"

using namespace hat;
using namespace std::chrono_literals;

namespace {

constexpr int64_t peer_id = 2;

event peer_event(int64_t session, int64_t instance) {
  return event{event_id{peer_id, session, instance},
               event_type{"a", std::to_string(session)},
               timestamp{session, instance}, std::nullopt, std::nullopt};
}

/// What the scripted peers and the recording store saw.
struct script {
  /// Peer connections made, and whether the next one fails at once.
  std::vector<caf::actor> peers;
  bool fail_next_connect = false;
  /// Queries waiting for the test's page, in order, and all queries seen.
  std::vector<caf::response_promise> waiting_queries;
  std::vector<query_server_params> queries;
  /// Synced states registered on the peer (payload texts).
  std::vector<std::string> registered;
  /// Pause orders the peer got.
  std::vector<bool> pauses;
  /// Batches stored: the ids of each.
  std::vector<std::vector<event_id>> stored;
  /// The next receipts say pause.
  bool pause_receipts = false;
  caf::response_promise backlog_waiter;
};

caf::behavior scripted_peer(caf::event_based_actor* self,
                            std::shared_ptr<script> s) {
  if (std::exchange(s->fail_next_connect, false)) {
    self->quit(caf::make_error(caf::sec::cannot_connect_to_node));
    return {};
  }
  return {
    [self, s](atom::query, const query_params& params) {
      s->queries.push_back(std::get<query_server_params>(params));
      s->waiting_queries.push_back(self->make_response_promise());
      return caf::delegated<query_result>{};
    },
    [s](atom::register_, const std::vector<register_event>& events) {
      for (auto& e : events)
        s->registered.push_back(std::get<payload_json>(*e.payload).text);
    },
    [s](atom::pause, bool paused) { s->pauses.push_back(paused); },
    // The test's page for the oldest waiting query (a promise is delivered
    // from its actor: CAF 0.17 cannot deliver one from outside).
    [s](atom::ok, query_result& result) {
      auto promise = s->waiting_queries.front();
      s->waiting_queries.erase(s->waiting_queries.begin());
      promise.deliver(std::move(result));
    },
  };
}

caf::behavior recording_store(caf::event_based_actor* self,
                              std::shared_ptr<script> s) {
  return {
    [](atom::last_id, int64_t server) { return event_id{server, 0, 0}; },
    [s](atom::store, const storage::event_batch& batch) {
      std::vector<event_id> ids;
      for (auto& e : *batch)
        ids.push_back(e.id);
      s->stored.push_back(ids);
      return store_receipt{batch->size(), s->pause_receipts};
    },
    [self, s](atom::backlog) {
      s->backlog_waiter = self->make_response_promise();
      return caf::delegated<atom::ok>{};
    },
    // The test releases the waiting sender.
    [s](atom::ok) { s->backlog_waiter.deliver(atom::ok::value); },
  };
}

struct sync_fixture : test::deterministic_fixture {
  std::shared_ptr<script> s = std::make_shared<script>();
  caf::actor store = system.spawn(recording_store, s);
  sync_actor sync;

  void start() {
    sync_settings settings;
    settings.server_id = 1;
    settings.name = "event-1";
    settings.peer = peer_info{peer_id, "127.0.0.1", 1, "event-2"};
    settings.retry_delay = 5s;
    settings.connect_peer = [this](caf::actor owner) {
      (void) owner;
      auto peer = system.spawn(scripted_peer, s);
      s->peers.push_back(peer);
      return peer;
    };
    sync = system.spawn(hat::sync, settings,
                        caf::actor_cast<event_store_actor>(store),
                        engine_actor{});
    run();
  }

  ~sync_fixture() {
    caf::anon_send_exit(sync, caf::exit_reason::kill);
    for (auto& peer : s->peers)
      caf::anon_send_exit(peer, caf::exit_reason::kill);
    caf::anon_send_exit(store, caf::exit_reason::kill);
    run();
  }

  /// The peer answers the oldest waiting query.
  void page(std::vector<event> events, bool more) {
    REQUIRE_FALSE(s->waiting_queries.empty());
    caf::anon_send(s->peers.back(), atom::ok::value,
                   query_result{std::move(events), more});
    run();
  }

  void notify(std::vector<event> events) {
    caf::anon_send(sync, atom::notify::value, std::move(events));
    run();
  }

  void connected() {
    caf::anon_send(sync, atom::connected::value, status::operational);
    run();
  }
};

using batches = std::vector<std::vector<event_id>>;

std::vector<event_id> ids(std::initializer_list<std::pair<int, int>> list) {
  std::vector<event_id> out;
  for (auto [session, instance] : list)
    out.push_back(event_id{peer_id, session, instance});
  return out;
}

}  // namespace

TEST_CASE_FIXTURE(sync_fixture,
                  "sync actor: catch-up by pages in whole sessions, live "
                  "events buffered meanwhile and applied after without "
                  "duplicates") {
  start();
  REQUIRE(s->peers.size() == 1);
  connected();
  REQUIRE(s->queries.size() == 1);
  CHECK(s->queries[0].server_id == peer_id);
  CHECK(s->queries[0].persisted);
  CHECK(s->queries[0].last_event_id == event_id{peer_id, 0, 0});
  CHECK(s->registered == std::vector<std::string>{R"({"state": "CONNECTED"})"});

  // A live notification during the catch-up waits.
  notify({peer_event(3, 1), peer_event(4, 1)});
  CHECK(s->stored.empty());

  page({peer_event(1, 1), peer_event(1, 2), peer_event(2, 1)}, true);
  // Session 1 is complete; session 2 may go on in the next page.
  CHECK(s->stored == batches{ids({{1, 1}, {1, 2}})});
  REQUIRE(s->queries.size() == 2);
  CHECK(s->queries[1].last_event_id == event_id{peer_id, 2, 1});

  page({peer_event(2, 2), peer_event(3, 1)}, false);
  // Then the buffered notification, less what the queries returned.
  CHECK(s->stored
        == batches{ids({{1, 1}, {1, 2}}), ids({{2, 1}, {2, 2}}),
                       ids({{3, 1}}), ids({{4, 1}})});
  CHECK(s->registered
        == std::vector<std::string>{R"({"state": "CONNECTED"})",
                                    R"({"state": "SYNCING"})",
                                    R"({"state": "SYNCED", "count": 5})"});

  // Live: one batch per notification, nothing twice.
  notify({peer_event(4, 1)});
  notify({peer_event(5, 1), peer_event(5, 2)});
  CHECK(s->stored.size() == 5);
  CHECK(s->stored.back() == ids({{5, 1}, {5, 2}}));

  // The peer becoming operational hears our state again, count unknown.
  caf::anon_send(sync, atom::status::value, status::operational);
  run();
  CHECK(s->registered.back() == R"({"state": "SYNCED", "count": null})");
}

TEST_CASE_FIXTURE(sync_fixture,
                  "sync actor: a failed connect is retried after the delay, "
                  "a dropped connection at once") {
  s->fail_next_connect = true;
  start();
  REQUIRE(s->peers.size() == 1);
  // Nothing until the retry timer fires.
  CHECK(run() == 0);
  CHECK(s->peers.size() == 1);
  REQUIRE(sched.trigger_timeout());
  run();
  REQUIRE(s->peers.size() == 2);
  connected();
  page({peer_event(1, 1)}, false);
  CHECK(s->stored.size() == 1);

  // Dropped while live: a new connection without waiting, and its
  // catch-up starts from what was stored.
  caf::anon_send_exit(s->peers.back(), caf::exit_reason::kill);
  run();
  REQUIRE(s->peers.size() == 3);
  connected();
  REQUIRE(s->queries.size() == 2);
  CHECK(std::count(s->registered.begin(), s->registered.end(),
                   R"({"state": "CONNECTED"})")
        == 2);
}

TEST_CASE_FIXTURE(sync_fixture,
                  "sync actor: a receipt that says pause holds the next "
                  "query and reading until the store has drained") {
  start();
  connected();
  s->pause_receipts = true;
  page({peer_event(1, 1), peer_event(2, 1)}, true);
  // The page's first session is stored; its receipt paused the peer.
  CHECK(s->stored.size() == 1);
  CHECK(s->pauses == std::vector<bool>{true});
  size_t queries = s->queries.size();
  page({peer_event(2, 2), peer_event(3, 1)}, true);
  // More follows, but the next query waits for the store.
  CHECK(s->queries.size() == queries);
  s->pause_receipts = false;
  caf::anon_send(store, atom::ok::value);
  run();
  CHECK(s->pauses == std::vector<bool>{true, false});
  CHECK(s->queries.size() == queries + 1);
}

TEST_CASE_FIXTURE(sync_fixture,
                  "sync actor: an empty page that says more follows ends the "
                  "catch-up instead of asking again for ever") {
  start();
  connected();
  page({peer_event(1, 1)}, true);
  page({}, true);
  CHECK(s->queries.size() == 2);
  CHECK(s->registered.back() == R"({"state": "SYNCED", "count": 1})");
  CHECK(s->stored == batches{ids({{1, 1}})});
}
