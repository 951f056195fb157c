#pragma once

/// The ceiling of the backend's registration: LMDB alone, writing the bytes
/// the backend writes for the same events, in the same key order and with
/// the same environment flags, one committed write transaction per chunk.
/// Keys and values are encoded before the clock starts, so only LMDB is
/// timed.

#include <cstdint>
#include <filesystem>
#include <functional>

#include "bench/lmdb/bench_timing.hpp"
#include "bench/lmdb/event_workload.hpp"

namespace hat::bench {

enum class raw_put_set {
  /// One TIMESERIES_DATA put per event (44-byte key, SBS event): the
  /// ceiling issue 4's ratio is measured against.
  timeseries,
  /// Every LMDB call a flush of the backend makes for this workload (one
  /// time-series partition, latest of every type): TIMESERIES_DATA and a
  /// REF get and put per event; LATEST_DATA once per type changed in the
  /// chunk, LATEST_TYPE once per new type; the REF of each type's previous
  /// latest event already on disk rewritten; the last id, timestamp and
  /// partition count. Shows what LMDB costs for the whole flush, without
  /// the backend's bookkeeping in memory.
  as_flush,
};

struct raw_put_figures {
  uint64_t events = 0;
  /// LMDB calls (get or put) made.
  uint64_t calls = 0;
  /// Transactions (calls and commit) only.
  double seconds = 0;
  /// Per chunk: the commit alone (writing the pages and syncing).
  spread commit;
  uint64_t file_bytes = 0;
};

/// Writes events [0, events) of `workload` into a new file at `path`,
/// `chunk` events per transaction; calls `progress(done)` after every
/// commit. Throws std::runtime_error on an LMDB error.
raw_put_figures run_raw_put_loop(const std::filesystem::path& path,
                                 raw_put_set set,
                                 const event_workload& workload,
                                 uint64_t events, uint64_t chunk,
                                 const std::function<void(uint64_t)>& progress);

}  // namespace hat::bench
