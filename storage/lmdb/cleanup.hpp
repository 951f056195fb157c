#pragma once

/// Removal of time-series entries that a partition's limit no longer keeps
/// (the reference's _ext_cleanup_partition and RefDb.ext_cleanup): oldest
/// first, never below min_entries, until at most max_entries (or as many
/// as `size` bytes hold, estimated from the database's page counts) remain
/// and none is older than `duration`; REF entries lose the references to
/// what was removed and go when none is left.

#include <cstddef>
#include <cstdint>
#include <span>

#include "protocol/event.hpp"
#include "storage/lmdb/databases.hpp"
#include "storage/lmdb/result.hpp"
#include "storage/lmdb/transaction.hpp"
#include "storage/lmdb_options.hpp"

namespace hat::storage::lmdb {

struct limited_partition {
  uint64_t id = 0;
  partition_limit limit;
};

/// Removes at most `max_removed` entries across `partitions`, in their
/// order, and returns how many it removed. A stored value that does not
/// decode throws std::runtime_error.
result<std::size_t> cleanup_partitions(
  write_txn& txn, const databases& dbs,
  std::span<const limited_partition> partitions, const timestamp& now,
  std::size_t max_removed);

/// `t` plus `seconds`, rounded to microseconds as the reference's
/// Timestamp.add (Python round: halves to even).
timestamp add_seconds(const timestamp& t, double seconds);

}  // namespace hat::storage::lmdb
