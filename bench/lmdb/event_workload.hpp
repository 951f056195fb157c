#pragma once

/// The events the LMDB benchmark stores: what a gateway-like producer
/// registers, made deterministic so that a database built by one run can be
/// checked and queried by another (event n is the same in every run with
/// the same type count and batch size).
///
/// - One server (1); one session per batch, numbered from 1; instances 1..B
///   within the session, as the engine numbers a registration of B events.
/// - One timestamp per session (as the engine stamps it), 100 us apart per
///   batch of 100, i.e. a producer registering 1 M events/s; the source
///   timestamp 1 ms earlier.
/// - Types of 4 segments, `plant/unit_U/point_P/value`, out of `type_count`
///   distinct ones; event n has type (n * stride) mod type_count with a
///   stride coprime to the count, so updates scatter over all types and
///   every type recurs once per type_count events.
/// - A JSON payload of 51 to 55 bytes.

#include <cstdint>
#include <vector>

#include "protocol/event.hpp"
#include "storage/backend.hpp"

namespace hat::bench {

class event_workload {
public:
  event_workload(uint64_t type_count, uint64_t batch_size);

  uint64_t type_count() const {
    return type_count_;
  }
  uint64_t batch_size() const {
    return batch_size_;
  }

  /// Type number `type` (< type_count) as segments.
  event_type type(uint64_t type) const;
  /// Type number of event `n` (events count from 0).
  uint64_t type_of(uint64_t n) const;

  event_id id_of(uint64_t n) const;
  hat::timestamp timestamp_of(uint64_t n) const;
  event event_at(uint64_t n) const;

  /// Events [first, first + count) as batches of batch_size (the last one
  /// shorter when count is not a multiple); `first` starts a batch.
  std::vector<storage::event_batch> batches(uint64_t first,
                                            uint64_t count) const;

private:
  uint64_t type_count_;
  uint64_t batch_size_;
  /// Steps through the types; coprime to type_count_.
  uint64_t stride_;
};

}  // namespace hat::bench
