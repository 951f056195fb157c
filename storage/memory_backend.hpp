#pragma once

/// The `memory` backend (reference module hat.event.backends.memory): every
/// registered event is kept in memory for the life of the process, with
/// indexes so that no query scans or sorts the whole store.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <unordered_map>
#include <vector>

#include "storage/backend.hpp"

namespace hat::storage {

class memory_backend final : public backend {
public:
  /// Largest stored id of `server_id`, (server_id, 0, 0) when none. O(1).
  event_id last_event_id(int64_t server_id) override;

  /// Stores all `events`, in order, and returns them all.
  std::vector<event> register_events(std::vector<event> events) override;

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

  /// Nothing to flush: always empty.
  std::vector<event_batch> flush() override;

private:
  /// Index into events_; also the registration order.
  using position = std::size_t;

  struct type_hash {
    std::size_t operator()(const event_type& type) const noexcept;
  };

  query_result query_latest(const query_latest_params& params) const;
  query_result query_timeseries(const query_timeseries_params& params) const;
  query_result query_server(const query_server_params& params) const;

  /// A deque so that storing never moves what is stored.
  std::deque<event> events_;

  /// Newest event of every type.
  std::unordered_map<event_type, position, type_hash> latest_;

  /// Multimaps insert equal keys after the existing ones, so ties stay in
  /// registration order.
  std::multimap<timestamp, position> by_timestamp_;
  std::multimap<timestamp, position> by_source_timestamp_;  ///< when set

  /// Per server, by event id; a multimap because the memory backend, like
  /// the reference, keeps events even when an id repeats.
  std::unordered_map<int64_t, std::multimap<event_id, position>> by_server_;
};

}  // namespace hat::storage
