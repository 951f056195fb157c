#pragma once

// An actor system on CAF's deterministic test coordinator: nothing runs
// until the test says so, in the order it chooses. (CAF's own test DSL needs
// CAF's test runner, so doctest tests use this small fixture instead.)
// A REQUIRE inside a handler would only kill the actor: handlers record,
// the test body checks.

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

namespace hat::test {

struct deterministic_config : caf::actor_system_config {
  deterministic_config() {
    set("scheduler.policy", caf::atom("testing"));
  }
};

struct deterministic_fixture {
  deterministic_config config;
  caf::actor_system system{config};
  caf::scheduler::test_coordinator& sched =
    dynamic_cast<caf::scheduler::test_coordinator&>(system.scheduler());

  /// Runs every pending job, timers excluded.
  size_t run() {
    return sched.run();
  }
};

}  // namespace hat::test
