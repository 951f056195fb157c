#pragma once

/// What the lmdb backend accepted but has not written yet: the content of
/// one flush (the reference's Changes of every store together).
///
/// Events are not copied: entries point into the registered batches, which
/// these changes hold until they are written (and which must not change).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "protocol/event.hpp"
#include "storage/backend.hpp"
#include "storage/lmdb/format.hpp"

namespace hat::storage::lmdb {

/// An event to add to REF, with where it is stored. No references left:
/// a newer event replaced it in latest before it was written, so it is
/// neither written to REF nor served by server queries.
struct added_event {
  const event* e = nullptr;
  std::vector<format::event_ref> refs;
};

/// REF changes of one server (the reference's ServerChanges).
struct server_changes {
  /// In registration order, which is id order: accepted ids only grow.
  std::vector<added_event> added;
  /// References to drop from events already written.
  std::map<event_id, std::vector<format::event_ref>> removed;

  /// The entry of `id` in `added`, or null.
  added_event* find_added(const event_id& id) {
    auto it = std::lower_bound(
      added.begin(), added.end(), id,
      [](const added_event& a, const event_id& b) { return a.e->id < b; });
    return it != added.end() && it->e->id == id ? &*it : nullptr;
  }
};

struct pending_changes {
  std::map<int64_t, event_id> last_ids;
  std::map<int64_t, timestamp> last_timestamps;
  /// LATEST_DATA by event type ref, and new LATEST_TYPE entries.
  std::map<uint64_t, const event*> latest;
  std::map<uint64_t, event_type> types;
  /// Per partition id, (key timestamp, event) in registration order.
  std::map<uint64_t, std::vector<std::pair<timestamp, const event*>>> series;
  std::map<int64_t, server_changes> refs;
  /// Registered batches, reported persisted once written.
  std::vector<event_batch> batches;
  /// Batches the entries point into besides `batches` (those a skip
  /// replaced by a shorter copy).
  std::vector<event_batch> held;
  /// Events accepted into these changes (the backlog bound counts them).
  std::size_t event_count = 0;

  bool empty() const {
    return batches.empty();
  }
};

}  // namespace hat::storage::lmdb
