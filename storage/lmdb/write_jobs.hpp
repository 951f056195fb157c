#pragma once

/// The lmdb backend's write jobs (storage::write_job): each one write
/// transaction, run on the storage writer's thread while the backend goes
/// on registering and querying on its own.

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

#include "protocol/event.hpp"
#include "storage/backend.hpp"
#include "storage/lmdb/cleanup.hpp"
#include "storage/lmdb/databases.hpp"
#include "storage/lmdb/environment.hpp"
#include "storage/lmdb/pending_changes.hpp"

namespace hat::storage::lmdb {

/// Writes one flush's changes, which it owns and never changes, so the
/// backend can read them from its own thread while run() goes on.
class flush_job final : public write_job {
public:
  flush_job(std::shared_ptr<environment> env, const databases& dbs,
            pending_changes changes);

  write_outcome run() override;

  const pending_changes& changes() const {
    return changes_;
  }

  /// True when the snapshot `reader` shows what this job wrote, so a query
  /// on that snapshot must not add these changes again.
  bool visible_in(const read_txn& reader) const;

private:
  std::shared_ptr<environment> env_;
  databases dbs_;
  pending_changes changes_;
  /// Id of the write transaction while it may commit; 0 otherwise. Set
  /// before the commit, so a snapshot taken after the commit and read
  /// before this id compares against it.
  std::atomic<std::size_t> txn_id_{0};
};

/// Removes one bounded batch of what the partition limits no longer keep.
class cleanup_job final : public write_job {
public:
  cleanup_job(std::shared_ptr<environment> env, const databases& dbs,
              std::vector<limited_partition> partitions, timestamp now,
              std::size_t batch);

  /// more when it removed a whole batch.
  write_outcome run() override;

private:
  std::shared_ptr<environment> env_;
  databases dbs_;
  std::vector<limited_partition> partitions_;
  timestamp now_;
  std::size_t batch_;
};

}  // namespace hat::storage::lmdb
