#pragma once

/// How the server's actor system runs: the middleman for the network and
/// CAF's sharing scheduler. CAF 0.17's default work-stealing scheduler lets
/// idle workers poll with 50 µs sleeps for about 25 ms before they block,
/// so every hop of a request (connection → engine → connection) could wait
/// for a sleep to end; the sharing scheduler wakes a worker through a
/// condition variable instead. Measured on the 2-core VM: about twice the
/// round trips per second for single-event registrations and a fifth more
/// events per second for batches (README, Benchmarks).

#include <caf/actor_system_config.hpp>

namespace hat {

struct runtime_config : caf::actor_system_config {
  runtime_config();
};

}  // namespace hat
