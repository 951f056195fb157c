#pragma once

/// The `memory` backend (reference module hat.event.backends.memory): every
/// registered event is kept in memory for the life of the process, with
/// indexes so that no query scans or sorts the whole store.

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "protocol/event_type.hpp"
#include "storage/backend.hpp"

namespace hat::storage {

class memory_backend final : public backend {
public:
  /// Largest stored id of `server_id`, (server_id, 0, 0) when none. O(1).
  event_id last_event_id(int64_t server_id) override;

  /// Keeps the batch itself (no event is copied) and returns it.
  event_batch register_events(event_batch events) override;

  /// Semantics of the reference memory backend, with its bugs fixed where
  /// noted in memory_backend.cpp:
  ///
  /// - latest: the newest event (natural order) of every stored type
  ///   matching `event_types` (all types when absent, none for an empty
  ///   list), in registration order of those events; never more_follows.
  /// - timeseries: events within the inclusive bounds, ordered by
  ///   `order_by`, ties in registration order (reversed when descending).
  ///   Events without a source timestamp are left out when a source bound is
  ///   given or when ordering by source timestamp. `last_event_id` drops
  ///   everything up to and including that event, and everything when no
  ///   result has that id. At most `max_results` (negative counts as 0).
  /// - server: events of that server in event-id order, only ids greater
  ///   than `last_event_id`, at most `max_results`; every event counts as
  ///   persisted.
  ///
  /// more_follows tells whether matching events were left out because of
  /// `max_results`. Throws std::invalid_argument for an invalid query type
  /// (validate with invalid_query_type_reason first).
  query_result query(const query_params& params) override;

  /// True: memory is all the durability there is.
  bool persists_on_register() const override;


private:
  /// An index entry: events never move, since their batches are kept.
  template <class Key>
  struct entry {
    Key key;
    const event* stored;
  };

  /// Entries sorted by key, ties in registration order. New events almost
  /// always sort last, so inserting is an append: no node per event as in
  /// a std::multimap, and scans walk contiguous memory.
  template <class Key>
  using sorted_index = std::vector<entry<Key>>;

  /// The newest event of a type and its registration number, which orders
  /// latest results.
  struct newest {
    const event* stored;
    uint64_t sequence;
  };

  query_result query_latest(const query_latest_params& params) const;
  query_result query_timeseries(const query_timeseries_params& params) const;
  query_result query_server(const query_server_params& params) const;

  /// Every batch registered, which owns the events the indexes point to.
  std::vector<event_batch> batches_;
  uint64_t registered_ = 0;

  std::unordered_map<event_type, newest, event_type_hash> latest_;
  sorted_index<timestamp> by_timestamp_;
  /// Only events that have a source timestamp.
  sorted_index<timestamp> by_source_timestamp_;
  /// Per server, by event id; ids may repeat (the reference keeps them).
  std::unordered_map<int64_t, sorted_index<event_id>> by_server_;
};

}  // namespace hat::storage
