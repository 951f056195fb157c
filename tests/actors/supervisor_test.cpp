// The supervisor (server.cpp) on CAF's deterministic coordinator: the real
// server actor, engines, store (memory backend), fan-out and sync actor;
// the listener, the monitor link and the peer's connection are scripted
// (server_seams). Random interleavings of blessings, restarts, the peer's
// status and connection, the monitor lost and a shutdown: one engine at a
// time (STARTED and STOPPED alternate in the store), the status settles
// where the inputs say (operational only while blessed, never started
// while the peer runs or before it answered), and the server always
// finishes with STOPPED stored.

#include <doctest/doctest.h>

#include <unistd.h>

#include <random>

#include "actors/server.hpp"
#include "actors/server_error.hpp"
#include "log/logger.hpp"
#include "storage/memory_backend.hpp"
#include "tests/actors/deterministic_fixture.hpp"

using namespace hat;

namespace {

constexpr int64_t peer_id = 2;

/// Stands in for the monitor link: what the test tells it, it tells the
/// server as the link would (the server only listens to its link).
caf::behavior fake_link(caf::event_based_actor* self, caf::actor server) {
  auto to = caf::actor_cast<server_actor>(server);
  return {
    [self, to](atom::bless, bool active) {
      self->send(to, atom::bless::value, active);
    },
    [self, to](atom::peers, std::vector<peer_info>& peers) {
      self->send(to, atom::peers::value, std::move(peers));
    },
    [](atom::engine_stopped) {},
    [](atom::reset_ready) {},
  };
}

// Function actors get an argument: CAF 0.17 dereferences a null argument
// tuple for those without one (UBSan reports it).

/// Stands in for the peer's connection: every catch-up page is empty.
caf::behavior scripted_connection(caf::event_based_actor*, int64_t) {
  return {
    [](atom::query, const query_params&) { return query_result{{}, false}; },
    [](atom::register_, const std::vector<register_event>&) {},
    [](atom::pause, bool) {},
  };
}

/// Stands in for the Eventer listener.
caf::behavior idle(caf::event_based_actor*, int /* closed socket */) {
  return {[](atom::ok) {}};
}

/// Records the server's status when asked, and its exit.
struct observer_record {
  std::optional<status> last;
  std::optional<caf::error> exit;
};

caf::behavior status_asker(caf::event_based_actor* self, server_actor server,
                           std::shared_ptr<observer_record> record) {
  self->request(server, caf::infinite, atom::get::value, atom::status::value)
    .then([self, record](status s, const engine_actor&) {
      record->last = s;
      self->quit();
    });
  return {[](atom::ok) {}};
}

caf::behavior exit_watcher(caf::event_based_actor* self, caf::actor server,
                           std::shared_ptr<observer_record> record) {
  self->monitor(server);
  self->set_down_handler([self, record](caf::down_msg& msg) {
    record->exit = msg.reason;
    self->quit();
  });
  return {[](atom::ok) {}};
}

config::server_config monitored_config() {
  config::server_config conf;
  conf.name = "event-1";
  conf.server_id = 1;
  conf.backend.kind = config::backend_kind::memory;
  conf.eventer_server.addr = {"127.0.0.1", 0};
  conf.monitor_component =
    config::monitor_component_config{{"127.0.0.1", 1}, "event"};
  return conf;
}

/// One server on its own deterministic actor system.
struct supervised : test::deterministic_fixture {
  std::mt19937 random;
  std::shared_ptr<storage::memory_backend> backend =
    std::make_shared<storage::memory_backend>();
  caf::actor server;
  caf::actor link;
  /// The sync actor and its newest connection; `fresh` until the test
  /// made the peer answer on it. Every connection, to end them all.
  caf::actor sync;
  caf::actor connection;
  bool fresh = false;
  std::vector<caf::actor> connections;
  std::shared_ptr<observer_record> record =
    std::make_shared<observer_record>();
  /// Sends exit messages with a reason (anon_send_exit takes none).
  caf::scoped_actor driver{system};

  explicit supervised(unsigned seed) : random(seed) {
    server_seams seams;
    seams.listener = [this](const listen_socket& socket) {
      ::close(socket.fd);
      return system.spawn(idle, socket.fd);
    };
    seams.monitor = [this](caf::actor owner) -> caf::expected<caf::actor> {
      link = system.spawn(fake_link, owner);
      return link;
    };
    seams.connect_peer = [this](caf::actor owner) {
      sync = owner;
      connection = system.spawn(scripted_connection, peer_id);
      connections.push_back(connection);
      fresh = true;
      return connection;
    };
    server = caf::actor_cast<caf::actor>(
      system.spawn(hat::server_with_seams, monitored_config(),
                   std::shared_ptr<storage::backend>{backend}, seams));
    run();
  }

  /// Records the server's exit reason, once it ended (monitoring an
  /// ended actor reports its reason at once).
  void watch_exit() {
    system.spawn(exit_watcher, server, record);
    settle();
  }

  /// Every actor ends before the system (which waits for them): the
  /// server stops its parts; a killed sync actor leaves its scripted
  /// connection behind.
  ~supervised() {
    watch_exit();
    if (!record->exit) {
      caf::anon_send(server, atom::shutdown::value);
      settle();
    }
    for (auto& c : connections)
      caf::anon_send_exit(c, caf::exit_reason::kill);
    run();
  }

  /// Runs up to `count` pending jobs, each a randomly chosen one.
  void run_some(size_t count) {
    for (; count > 0 && !sched.jobs.empty(); --count) {
      std::uniform_int_distribution<size_t> pick{0, sched.jobs.size() - 1};
      std::swap(sched.jobs.front(), sched.jobs[pick(random)]);
      sched.run_once();
    }
  }

  /// Everything pending, timers included (a retry after a failed connect).
  void settle() {
    for (int round = 0; round < 4; ++round) {
      run_some(SIZE_MAX);
      sched.trigger_timeouts();
    }
    run_some(SIZE_MAX);
  }

  std::optional<status> status_now() {
    record->last.reset();
    system.spawn(status_asker, caf::actor_cast<server_actor>(server), record);
    run_some(SIZE_MAX);
    return record->last;
  }

  /// The payloads of event/1/engine, in id order.
  std::vector<std::string> engine_events() {
    query_server_params params;
    params.server_id = 1;
    std::vector<std::string> payloads;
    for (auto& e : backend->query(query_params{params}).events)
      if (e.type == event_type{"event", "1", "engine"})
        payloads.push_back(std::get<payload_json>(*e.payload).text);
    return payloads;
  }
};

/// STARTED and STOPPED alternate, beginning with STARTED and, when
/// `finished`, ending with STOPPED.
bool alternates(const std::vector<std::string>& payloads, bool finished) {
  for (size_t i = 0; i < payloads.size(); ++i)
    if (payloads[i] != (i % 2 == 0 ? "\"STARTED\"" : "\"STOPPED\""))
      return false;
  return !finished || payloads.size() % 2 == 0;
}

struct quiet_log {
  quiet_log() {
    log::set_sink([](std::string_view) {});
  }
  ~quiet_log() {
    log::set_sink({});
  }
};

}  // namespace

TEST_CASE("supervisor: a blessing in the state that lists a peer waits for "
          "its answer, and for its standby") {
  quiet_log quiet;
  supervised s{1};
  caf::anon_send(s.link, atom::peers::value,
                 std::vector<peer_info>{
                   peer_info{peer_id, "127.0.0.1", 1, "event-2"}});
  caf::anon_send(s.link, atom::bless::value, true);
  s.settle();
  // The peer has not answered: no engine.
  CHECK(s.status_now() == status::standby);
  REQUIRE(s.fresh);
  caf::anon_send(s.sync, atom::connected::value, status::operational);
  s.settle();
  CHECK(s.status_now() == status::standby);
  caf::anon_send(s.sync, atom::status::value, status::standby);
  s.settle();
  CHECK(s.status_now() == status::operational);
  CHECK(s.engine_events() == std::vector<std::string>{"\"STARTED\""});
}

TEST_CASE("supervisor: random interleavings of blessings, restarts, the "
          "peer and the monitor keep one engine at a time and always "
          "finish with STOPPED stored") {
  quiet_log quiet;
  for (unsigned walk = 0; walk < 1000; ++walk) {
    CAPTURE(walk);
    supervised s{walk};
    caf::anon_send(s.link, atom::peers::value,
                   std::vector<peer_info>{
                     peer_info{peer_id, "127.0.0.1", 1, "event-2"}});
    // The test's model of what the server was told.
    bool blessed = false;
    bool settled = false;          // the peer answered or failed once
    std::optional<status> peer;    // its status while connected
    bool monitor_lost = false;
    auto holding = [&] {
      return !settled || (peer && *peer != status::standby);
    };
    bool held_all_along = true;
    std::optional<status> before = status::standby;
    for (int step = 0; step < 30 && !monitor_lost; ++step) {
      switch (s.random() % 8) {
        case 0:
        case 1:
          blessed = !blessed;
          caf::anon_send(s.link, atom::bless::value, blessed);
          break;
        case 2:
          caf::anon_send(s.server, atom::restart::value);
          break;
        case 3:
          if (s.fresh) {
            // The peer answers our init with its status.
            auto now = static_cast<status>(s.random() % 4);
            caf::anon_send(s.sync, atom::connected::value, now);
            s.fresh = false;
            settled = true;
            peer = now;
          }
          break;
        case 4:
          if (peer) {
            auto now = static_cast<status>(s.random() % 4);
            caf::anon_send(s.sync, atom::status::value, now);
            peer = now;
          }
          break;
        case 5:
          // The connection drops, or the connect fails: not active, and
          // the sync actor connects again (at once, or after its delay).
          if (s.connection && (peer || s.fresh)) {
            s.driver->send_exit(s.connection,
                                make_error(ec::peer_lost, "dropped"));
            s.connection = nullptr;
            s.fresh = false;
            settled = true;
            peer.reset();
          }
          break;
        case 6:
          if (s.random() % 6 == 0) {
            s.driver->send_exit(s.link, make_error(ec::monitor_lost, "test"));
            monitor_lost = true;
          } else if (s.sync && s.random() % 3 == 0) {
            // Fault injection: the server starts it again after a delay.
            // What the sync actor was told is reported first, so that the
            // model knows whether the server heard the peer at all.
            s.run_some(SIZE_MAX);
            caf::anon_send_exit(s.sync, caf::exit_reason::kill);
            s.sync = nullptr;
            s.connection = nullptr;
            s.fresh = false;
            peer.reset();
          }
          break;
        case 7: {
          // A checkpoint: everything runs, the status is where the inputs
          // say.
          s.settle();
          auto now = s.status_now();
          REQUIRE(now);
          if (!blessed)
            CHECK(*now == status::standby);
          else if (!holding())
            CHECK(*now == status::operational);
          else if (before == status::standby && held_all_along)
            CHECK(*now == status::standby);
          else
            CHECK((*now == status::standby || *now == status::operational));
          CHECK(alternates(s.engine_events(), false));
          before = now;
          held_all_along = true;
          continue;
        }
      }
      // The server hears blessings and the peer from two actors, in any
      // interleaving: only a hold that never lapsed forbids a start.
      held_all_along = held_all_along && holding();
      s.run_some(s.random() % 12);
    }
    if (!monitor_lost)
      caf::anon_send(s.server, atom::shutdown::value);
    s.settle();
    s.watch_exit();
    REQUIRE(s.record->exit);
    if (monitor_lost)
      CHECK(render_error(*s.record->exit).find("monitor") != std::string::npos);
    else
      CHECK_FALSE(*s.record->exit);
    CHECK(alternates(s.engine_events(), true));
  }
}
