#pragma once

/// The event store actor (the storage actor): owns the one backend, keeps sessions in the order the
/// engine sends them, answers queries directly (a query never waits behind
/// a session in the engine), flushes, and reports every stored batch to the
/// notification fan-out: once registered, once persisted.

#include <chrono>
#include <memory>

#include "actors/interfaces.hpp"
#include "storage/backend.hpp"

namespace hat {

struct event_store_state {
  /// The event store; called from this actor only.
  std::shared_ptr<storage::backend> backend;
  /// Receives registered and persisted batches.
  notify_fanout_actor fanout;
  /// Period of the flush timer; zero for backends that persist at once.
  std::chrono::milliseconds flush_period{0};
  /// Generation of the live flush timer.
  uint64_t flush_generation = 0;

  static inline const char* name = "event_store";
};

/// Spawn it detached when the backend does disk work (LMDB), so blocking
/// I/O never holds a scheduler thread; deterministic tests keep it on the
/// test scheduler.
event_store_actor::behavior_type
event_store(event_store_actor::stateful_pointer<event_store_state> self,
        std::shared_ptr<storage::backend> backend,
        notify_fanout_actor fanout, std::chrono::milliseconds flush_period);

}  // namespace hat
