// The server's status machine: the interleavings of blessings, restarts,
// shutdown and engines ending, one by one and as random walks.

#include <doctest/doctest.h>

#include <random>

#include "actors/server_status.hpp"

using namespace hat;
using sa = server_action;
using phase = server_status_machine::phase;
using actions = server_status_machine::actions;

namespace {

/// A monitored machine brought to operational.
server_status_machine operational_monitored() {
  server_status_machine m{true};
  m.begin();
  m.blessing(true);
  m.engine_started();
  REQUIRE(m.current_phase() == phase::operational);
  return m;
}

}  // namespace

TEST_CASE("server status: standalone starts at once and runs") {
  server_status_machine m{false};
  CHECK(m.status() == status::standby);
  CHECK(m.begin() == actions{sa::publish_starting, sa::start_engine});
  CHECK(m.status() == status::starting);
  CHECK(published_status(sa::publish_starting) == status::starting);
  CHECK_FALSE(published_status(sa::start_engine));
  CHECK(m.engine_started() == actions{sa::publish_operational});
  CHECK(m.status() == status::operational);
  // A blessing means nothing to a standalone server.
  CHECK(m.blessing(false).empty());
  CHECK(m.status() == status::operational);
}

TEST_CASE("server status: monitored waits for its blessing") {
  server_status_machine m{true};
  CHECK(m.begin().empty());
  CHECK(m.status() == status::standby);
  CHECK(m.blessing(true) == actions{sa::publish_starting, sa::start_engine});
  CHECK(m.status() == status::starting);
}

TEST_CASE("server status: blessing withdrawn while starting") {
  server_status_machine m{true};
  m.begin();
  m.blessing(true);
  CHECK(m.blessing(false) == actions{sa::publish_stopping, sa::stop_engine});
  CHECK(m.status() == status::stopping);
  // The engine's STARTED may still arrive: it is not operational any more.
  CHECK(m.engine_started().empty());
  CHECK(m.status() == status::stopping);
  CHECK(m.engine_ended() == actions{sa::drain});
  CHECK(m.drained() == actions{sa::publish_standby});
  CHECK(m.status() == status::standby);
}

TEST_CASE("server status: blessed again while stopping starts a new engine "
          "only after the drain") {
  auto m = operational_monitored();
  CHECK(m.blessing(false) == actions{sa::publish_stopping, sa::stop_engine});
  CHECK(m.blessing(true).empty());
  CHECK(m.engine_ended() == actions{sa::drain});
  CHECK(m.blessing(false).empty());
  CHECK(m.blessing(true).empty());
  CHECK(m.drained() == actions{sa::publish_standby, sa::publish_starting,
                               sa::start_engine});
  CHECK(m.status() == status::starting);
}

TEST_CASE("server status: restart asked while operational, and while "
          "stopping") {
  auto m = operational_monitored();
  CHECK(m.restart_requested()
        == actions{sa::publish_stopping, sa::stop_engine});
  // Asked again while the first is under way: nothing more.
  CHECK(m.restart_requested().empty());
  CHECK(m.engine_ended() == actions{sa::drain});
  CHECK(m.restart_requested().empty());
  CHECK(m.drained() == actions{sa::publish_standby, sa::publish_starting,
                               sa::start_engine});
  CHECK(m.engine_started() == actions{sa::publish_operational});
  CHECK(m.status() == status::operational);
}

TEST_CASE("server status: restart asked while unblessed does nothing") {
  server_status_machine m{true};
  m.begin();
  CHECK(m.restart_requested().empty());
  CHECK(m.status() == status::standby);
}

TEST_CASE("server status: shutdown while starting") {
  server_status_machine m{false};
  m.begin();
  CHECK(m.shutdown() == actions{sa::publish_stopping, sa::stop_engine});
  CHECK(m.shutdown().empty());
  CHECK(m.engine_started().empty());
  CHECK(m.engine_ended() == actions{sa::drain});
  CHECK(m.drained() == actions{sa::publish_standby, sa::stop_server});
  CHECK(m.current_phase() == phase::finishing);
  CHECK(m.status() == status::standby);
}

TEST_CASE("server status: shutdown (monitor lost) at every status") {
  SUBCASE("standby") {
    server_status_machine m{true};
    m.begin();
    CHECK(m.shutdown() == actions{sa::stop_server});
  }
  SUBCASE("starting") {
    server_status_machine m{true};
    m.begin();
    m.blessing(true);
    CHECK(m.shutdown() == actions{sa::publish_stopping, sa::stop_engine});
    m.engine_ended();
    CHECK(m.drained() == actions{sa::publish_standby, sa::stop_server});
  }
  SUBCASE("operational") {
    auto m = operational_monitored();
    CHECK(m.shutdown() == actions{sa::publish_stopping, sa::stop_engine});
    m.engine_ended();
    CHECK(m.drained() == actions{sa::publish_standby, sa::stop_server});
  }
  SUBCASE("stopping") {
    auto m = operational_monitored();
    m.blessing(false);
    CHECK(m.shutdown().empty());
    CHECK(m.engine_ended() == actions{sa::drain});
    CHECK(m.drained() == actions{sa::publish_standby, sa::stop_server});
  }
  SUBCASE("draining") {
    auto m = operational_monitored();
    m.restart_requested();
    m.engine_ended();
    CHECK(m.shutdown().empty());
    // Not started again: it is shutting down.
    CHECK(m.drained() == actions{sa::publish_standby, sa::stop_server});
  }
}

TEST_CASE("server status: an engine that ends on its own is drained after") {
  auto m = operational_monitored();
  CHECK(m.engine_ended() == actions{sa::publish_stopping, sa::drain});
  CHECK(m.status() == status::stopping);
  // Still blessed: a new engine once the store drained.
  CHECK(m.drained() == actions{sa::publish_standby, sa::publish_starting,
                               sa::start_engine});
}

TEST_CASE("server status: a blessed server waits while a peer holds it "
          "back, and only the start waits") {
  server_status_machine m{true};
  m.begin();
  CHECK(m.peers_holding(true).empty());
  CHECK(m.blessing(true).empty());
  CHECK(m.status() == status::standby);
  CHECK(m.waiting_for_peers());
  // Released: the start happens then.
  CHECK(m.peers_holding(false)
        == actions{sa::publish_starting, sa::start_engine});
  CHECK_FALSE(m.waiting_for_peers());
  m.engine_started();
  // A peer turning active later does not stop a running engine.
  CHECK(m.peers_holding(true).empty());
  CHECK(m.status() == status::operational);
  // A restart waits again before its new engine.
  CHECK(m.restart_requested()
        == actions{sa::publish_stopping, sa::stop_engine});
  CHECK(m.engine_ended() == actions{sa::drain});
  CHECK(m.drained() == actions{sa::publish_standby});
  CHECK(m.waiting_for_peers());
  CHECK(m.peers_holding(false)
        == actions{sa::publish_starting, sa::start_engine});
}

TEST_CASE("server status: peers released while unblessed or shutting down "
          "start nothing") {
  server_status_machine m{true};
  m.begin();
  m.peers_holding(true);
  CHECK(m.peers_holding(false).empty());
  CHECK_FALSE(m.waiting_for_peers());
  m.peers_holding(true);
  m.blessing(true);
  CHECK(m.shutdown() == actions{sa::stop_server});
  CHECK(m.peers_holding(false).empty());
  CHECK(m.current_phase() == phase::finishing);
}

TEST_CASE("server status: random interleavings keep one engine at a time "
          "and always finish") {
  std::mt19937 random{20261201};
  for (int walk = 0; walk < 2000; ++walk) {
    server_status_machine m{walk % 4 != 0};
    bool engine = false;         // an engine exists
    bool stop_asked = false;     // stop_engine issued to it
    bool drain_pending = false;  // drain issued, drained() not yet fed
    int finishes = 0;
    auto apply = [&](const actions& todo) {
      std::optional<status> published;
      for (auto a : todo) {
        switch (a) {
          case sa::start_engine:
            REQUIRE_FALSE(engine);
            REQUIRE_FALSE(drain_pending);
            REQUIRE_FALSE(m.shutting_down());
            engine = true;
            stop_asked = false;
            break;
          case sa::stop_engine:
            REQUIRE(engine);
            stop_asked = true;
            break;
          case sa::drain:
            REQUIRE_FALSE(engine);
            drain_pending = true;
            break;
          case sa::stop_server:
            REQUIRE_FALSE(engine);
            REQUIRE_FALSE(drain_pending);
            ++finishes;
            break;
          default:
            published = published_status(a);
            REQUIRE(published);
            if (*published == status::operational)
              CHECK((engine && !stop_asked));
            break;
        }
      }
      // What clients were told last is the machine's status.
      if (published)
        CHECK(*published == m.status());
    };
    apply(m.begin());
    for (int step = 0; step < 40; ++step) {
      switch (random() % 8) {
        case 0: apply(m.blessing(true)); break;
        case 1: apply(m.blessing(false)); break;
        case 2: apply(m.restart_requested()); break;
        case 3:
          if (engine)
            apply(m.engine_started());
          break;
        case 4:
          // Ends when asked, or on its own.
          if (engine && (stop_asked || random() % 4 == 0)) {
            engine = false;
            apply(m.engine_ended());
          }
          break;
        case 5:
          if (drain_pending) {
            drain_pending = false;
            apply(m.drained());
          }
          break;
        case 6:
          if (random() % 8 == 0)
            apply(m.shutdown());
          break;
        case 7: apply(m.peers_holding(random() % 2 == 0)); break;
      }
      // Operational only with a running engine not asked to stop.
      if (m.status() == status::operational)
        CHECK((engine && !stop_asked));
      // Waiting for peers means standby with nothing running.
      if (m.waiting_for_peers())
        CHECK((!engine && !drain_pending));
    }
    // Shut down and let everything asked for complete: it finishes once.
    apply(m.shutdown());
    for (int settle = 0; settle < 4; ++settle) {
      if (engine && stop_asked) {
        engine = false;
        apply(m.engine_ended());
      }
      if (drain_pending) {
        drain_pending = false;
        apply(m.drained());
      }
    }
    CHECK(m.current_phase() == phase::finishing);
    CHECK(finishes == 1);
  }
}
