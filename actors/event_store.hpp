#pragma once

/// The event store actor (the storage actor): owns the one backend, keeps
/// sessions in the order the engine sends them, answers queries directly
/// (a query never waits behind a session in the engine, nor behind a flush),
/// and reports every stored batch to the notification fan-out: once
/// registered, once persisted.
///
/// Disk work goes to its writer (storage_writer), one job at a time: a
/// flush flush_period after the last one, when a flush is asked for or
/// when the backend's backlog is full; a cleanup batch every cleanup_period, or at
/// once while a batch finds more to remove. Flushes go before cleanups.
/// Batches become persisted (and flush requests are answered) only after
/// the writer committed them. On exit, whatever is still in memory is
/// written before the actor goes.
///
/// Backpressure: every batch is answered with a store_receipt. When a batch
/// leaves the backlog full while the writer is busy (registration or a
/// catch-up outruns the disk), the receipt says pause; its sender (the
/// engine, a sync actor) then waits on the store's atom::backlog answer,
/// given when the next flush has taken the backlog. Memory so held is
/// bounded by about two backlogs (one being written) plus what senders
/// had sent before their receipt arrived.

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include <caf/response_promise.hpp>

#include "actors/interfaces.hpp"
#include "actors/placement.hpp"
#include "actors/server_metrics.hpp"
#include "storage/backend.hpp"

namespace hat {

struct event_store_options {
  /// Period of the flush timer; zero for backends that persist at once.
  std::chrono::milliseconds flush_period{0};
  /// Pause between cleanups; zero: no cleanup.
  std::chrono::milliseconds cleanup_period{0};
  /// The writer gets a thread of its own (the server); deterministic tests
  /// keep it on the test scheduler.
  bool detached_writer = false;
  /// Counts events registered and persisted, sessions and flushes.
  std::shared_ptr<server_metrics> metrics = std::make_shared<server_metrics>();
};

struct event_store_state {
  /// The event store; called from this actor only (its write jobs run on
  /// the writer).
  std::shared_ptr<storage::backend> backend;
  /// Receives registered and persisted batches.
  notify_fanout_actor fanout;
  event_store_options options;
  storage_writer_actor writer;
  /// Generation of the live flush timer: each flush started sets a new
  /// timer a period later and makes the ticks of older ones stale.
  uint64_t flush_generation = 0;

  /// A job is with the writer.
  bool writing = false;
  /// That job; handed back to the writer to be freed once finished.
  std::shared_ptr<storage::write_job> job;
  /// When the running job started (a flush's duration is counted).
  std::chrono::steady_clock::time_point job_started;
  bool flush_wanted = false;
  bool cleanup_wanted = false;
  /// Flush requests answered when the running flush ends, and those that
  /// came after it started (answered by the next one).
  std::vector<caf::response_promise> flush_waiters;
  std::vector<caf::response_promise> next_flush_waiters;
  /// Senders paused by a full backlog, answered when it drains.
  std::vector<caf::response_promise> backlog_waiters;
  /// Set by an exit message: quit with it once the writer is idle and the
  /// last flush is done.
  std::optional<caf::error> exit_reason;

  static inline const char* name = "event_store";
};

/// The store's self: placeable on the network thread (placement.hpp) when
/// its backend never touches a disk.
using store_pointer = placeable_pointer<event_store_actor, event_store_state>;

/// Spawn it detached when the backend does disk work (LMDB): its queries
/// read the file. Otherwise where `placement.store` says (placement.hpp):
/// on the network thread, its queries hold every connection up while they
/// run. Deterministic tests keep it on the test scheduler.
event_store_actor::behavior_type
event_store(store_pointer self,
            std::shared_ptr<storage::backend> backend,
            notify_fanout_actor fanout, event_store_options options);

}  // namespace hat
