#pragma once

/// The `lmdb` backend (reference module hat.event.backends.lmdb): events in
/// one LMDB file, in the reference's databases and encodings, so that files
/// written by either implementation open in the other.
///
/// Registered events are kept in memory (pending) and written by a flush
/// job in one write transaction; queries merge the events not yet visible
/// on disk (pending, and those a running flush job is writing) with a
/// snapshot of the file, so a flush on another thread never holds them up.
///
/// Errors: open() and every later call that meets an LMDB or format error
/// throw std::runtime_error with a message naming what failed; the backend
/// interface has no other channel and the storage actor treats such a
/// throw as fatal for the backend.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/array.hpp>

#include "protocol/event_type.hpp"
#include "protocol/subscription.hpp"
#include "storage/backend.hpp"
#include "storage/lmdb_options.hpp"
#include "storage/lmdb/cleanup.hpp"
#include "storage/lmdb/conditions.hpp"
#include "storage/lmdb/databases.hpp"
#include "storage/lmdb/environment.hpp"
#include "storage/lmdb/format.hpp"
#include "storage/lmdb/pending_changes.hpp"
#include "storage/lmdb/write_jobs.hpp"

namespace hat::storage {

class lmdb_backend final : public backend {
public:
  /// Opens (creating when absent) the file `options.db_path`, checks its
  /// version and identifier and loads what the backend keeps in memory.
  /// The file stays locked (flock) until the backend and its jobs are gone:
  /// a second backend on it, in this process or another, is refused.
  /// Throws std::runtime_error, e.g. "database version 'x' is not 0.9",
  /// "database identifier 'a' differs from the configured 'b'", "/x/event.db
  /// is in use: ...", "/x/event.db is damaged: ..." (environment::open).
  static std::unique_ptr<lmdb_backend> open(
    const lmdb_backend_options& options);

  ~lmdb_backend() override;

  event_id last_event_id(int64_t server_id) override;

  /// Skips (leaves out of the result) events whose id is not above, or
  /// whose timestamp is below, the last stored of their server, and events
  /// failing the configured conditions. As in the reference, accepted
  /// events that no database subscribes to are returned but not stored and
  /// do not advance the last id.
  event_batch register_events(event_batch events) override;

  /// Latest from memory; timeseries from the first configured partition
  /// with the query's order_by whose subscription meets the query types
  /// (none: empty); server from the REF database (plus pending events
  /// unless `persisted`). At most timeseries_max_results per page.
  query_result query(const query_params& params) override;

  /// False: events are durable only after a flush.
  bool persists_on_register() const override;

  /// A job writing every pending change in one transaction; null when
  /// nothing was registered since the last flush.
  std::shared_ptr<write_job> start_flush() override;
  std::vector<event_batch> finish_flush() override;

  /// A job removing up to cleanup_batch entries the partition limits no
  /// longer keep; null when no partition has a limit.
  std::shared_ptr<write_job> start_cleanup(const timestamp& now) override;

  void grow_map() override;

  /// max_pending_events reached.
  bool backlog_full() const override;

private:
  struct partition {
    uint64_t id = 0;
    hat::order_by order_by = order_by::timestamp;
    hat::subscription subscription;
  };

  explicit lmdb_backend(lmdb::environment env);

  void load(const lmdb_backend_options& options);
  std::vector<lmdb::format::event_ref> add_latest(const event& e);
  void add_timeseries(const event& e,
                      std::vector<lmdb::format::event_ref>& refs);
  /// Stores `e` unless a skip rule applies; false when skipped.
  bool register_event(const event& e);
  void remove_ref(const event_id& id, const lmdb::format::event_ref& ref);

  /// Changes a query must merge with the snapshot `txn`, oldest first: those
  /// a running flush job writes (unless the snapshot shows them already)
  /// and the pending ones.
  std::vector<const lmdb::pending_changes*> unwritten(
    const lmdb::read_txn& txn) const;

  query_result query_latest(const query_latest_params& params) const;
  query_result query_timeseries(const query_timeseries_params& params);
  query_result query_server(const query_server_params& params);

  /// Shared with running jobs, so the file stays open until they end.
  std::shared_ptr<lmdb::environment> env_;
  lmdb::databases dbs_;
  int64_t max_results_ = 4096;
  std::size_t max_pending_events_ = 0;
  std::size_t cleanup_batch_ = 0;
  /// Applied on register, to stored latest events at open and to stored
  /// time-series events on query, as the reference does, so that a
  /// stricter configuration hides events stored under a looser one.
  lmdb::conditions conditions_;

  /// Newest of every server, written or not.
  std::map<int64_t, event_id> last_ids_;
  std::map<int64_t, timestamp> last_timestamps_;

  hat::subscription latest_subscription_;
  std::unordered_map<event_type, uint64_t, event_type_hash> type_refs_;
  std::unordered_map<event_type, event, event_type_hash> latest_;
  uint64_t next_type_ref_ = 1;

  std::vector<partition> partitions_;
  /// The partitions with a limit, for cleanup jobs.
  std::vector<lmdb::limited_partition> limited_;

  lmdb::pending_changes pending_;
  /// The flush job started and not finished yet.
  std::shared_ptr<lmdb::flush_job> writing_;
};

}  // namespace hat::storage
