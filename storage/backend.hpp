#pragma once

/// What every event store offers the storage actor, which owns exactly one
/// backend and calls it from one thread at a time. No CAF here.
///
/// Events are reported twice: as *registered* when register_events accepts
/// them, and as *persisted* when they are durable. Backends that keep
/// nothing on disk persist on register (persists_on_register()); the others
/// return persisted batches from flush().

#include <memory>
#include <vector>

#include "protocol/event.hpp"

namespace hat::storage {

/// A batch of events shared, read-only, between the storage actor and the
/// notification fan-out.
using event_batch = std::shared_ptr<const std::vector<event>>;

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

  /// Makes accepted events durable; returns the batches that became
  /// persisted by this call, oldest first (none for memory and dummy).
  virtual std::vector<event_batch> flush() = 0;
};

}  // namespace hat::storage
