#pragma once

/// What the lmdb backend accepted but has not written yet: the content of
/// one flush (the reference's Changes of every store together).

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "protocol/event.hpp"
#include "storage/backend.hpp"
#include "storage/lmdb/format.hpp"

namespace hat::storage::lmdb {

/// REF changes of one server (the reference's ServerChanges).
struct server_changes {
  /// Ids in registration order; an id may be gone from `added`.
  std::vector<event_id> order;
  std::map<event_id, std::pair<event, std::vector<format::event_ref>>> added;
  std::map<event_id, std::vector<format::event_ref>> removed;
};

struct pending_changes {
  std::map<int64_t, event_id> last_ids;
  std::map<int64_t, timestamp> last_timestamps;
  /// LATEST_DATA by event type ref, and new LATEST_TYPE entries.
  std::map<uint64_t, event> latest;
  std::map<uint64_t, event_type> types;
  /// Per partition id, (key timestamp, event) in registration order.
  std::map<uint64_t, std::vector<std::pair<timestamp, event>>> series;
  std::map<int64_t, server_changes> refs;
  /// Registered batches, reported persisted once written.
  std::vector<event_batch> batches;
  /// Events accepted into these changes (the backlog bound counts them).
  std::size_t event_count = 0;

  bool empty() const {
    return batches.empty();
  }
};

}  // namespace hat::storage::lmdb
