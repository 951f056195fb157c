#pragma once

/// What every event store offers the storage actor, which owns exactly one
/// backend and calls it from one thread at a time. No CAF here.
///
/// Events are reported twice: as *registered* when register_events accepts
/// them, and as *persisted* when they are durable. Backends that keep
/// nothing on disk persist on register (persists_on_register()); the others
/// return persisted batches when a flush finishes.
///
/// Disk work is split so that it can run on another thread than the one
/// that registers and queries (write_job): a flush or a cleanup is started
/// on the storage actor's thread, its job runs elsewhere, and the flush is
/// finished back on the storage actor's thread. Meanwhile the backend keeps
/// registering and answering queries, including from the events the job is
/// writing.

#include <memory>
#include <vector>

#include "protocol/event.hpp"

namespace hat::storage {

/// A batch of events shared, read-only, between the storage actor and the
/// notification fan-out.
using event_batch = std::shared_ptr<const std::vector<event>>;

/// How a write job ended.
enum class write_outcome {
  done,
  /// A cleanup stopped at its per-transaction bound: run another one.
  more,
  /// Nothing was written because the map is full: call grow_map() while no
  /// job runs and run the same job again.
  map_full,
};

/// One write transaction prepared by the backend. run() may be called on
/// any thread while the backend goes on registering and querying, but only
/// one job runs at a time. Throws std::runtime_error when the write fails
/// (other than map_full): the changes are then lost to this process.
class write_job {
public:
  virtual ~write_job() = default;
  virtual write_outcome run() = 0;
};

class backend {
public:
  virtual ~backend() = default;

  /// Newest stored event id of `server_id`; (server_id, 0, 0) when none.
  virtual event_id last_event_id(int64_t server_id) = 0;

  /// Stores one session (or one synchronised batch), in order. Returns the
  /// events accepted, in order: the same batch when all are (so nothing is
  /// copied), fewer where a backend skips some (LMDB: ids or timestamps not
  /// newer than stored, conditions). Backends may keep the batch.
  virtual event_batch register_events(event_batch events) = 0;

  /// Answers a latest, timeseries or server query.
  virtual query_result query(const query_params& params) = 0;

  /// True when accepted events are durable at once (memory, dummy): the
  /// storage actor then reports them persisted right after registered.
  virtual bool persists_on_register() const = 0;

  /// Takes every change accepted so far into a job that writes them; null
  /// when there is nothing to write. At most one flush at a time: call
  /// finish_flush() before the next start_flush().
  virtual std::shared_ptr<write_job> start_flush() {
    return nullptr;
  }

  /// After the started flush job returned done: forgets what it wrote and
  /// returns the batches that became persisted, oldest first.
  virtual std::vector<event_batch> finish_flush() {
    return {};
  }

  /// A job that removes what the configured limits no longer keep, in
  /// bounded batches (outcome more: start another); null when nothing is
  /// limited. `now` in the reference's wall-clock time.
  virtual std::shared_ptr<write_job> start_cleanup(const timestamp& now) {
    (void)now;
    return nullptr;
  }

  /// Doubles the file's map size after map_full; no job may be running.
  virtual void grow_map() {
  }

  /// True when so many changes wait in memory that a flush should start
  /// now rather than at the next period.
  virtual bool backlog_full() const {
    return false;
  }

  /// A whole flush on the calling thread: start, run (growing the map as
  /// needed), finish. For shutdown and for tests.
  std::vector<event_batch> flush();

  /// A whole cleanup on the calling thread, batch after batch. For tests.
  void cleanup(const timestamp& now);
};

}  // namespace hat::storage
