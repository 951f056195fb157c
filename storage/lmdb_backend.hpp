#pragma once

/// The `lmdb` backend (reference module hat.event.backends.lmdb): events in
/// one LMDB file, in the reference's databases and encodings, so that files
/// written by either implementation open in the other.
///
/// Registered events are kept in memory (pending) and written by flush() in
/// one write transaction; queries merge pending events with the file.
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
#include <vector>

#include <boost/json/array.hpp>

#include "protocol/subscription.hpp"
#include "storage/backend.hpp"
#include "storage/lmdb_options.hpp"
#include "storage/lmdb/conditions.hpp"
#include "storage/lmdb/environment.hpp"
#include "storage/lmdb/format.hpp"

namespace hat::storage {

class lmdb_backend final : public backend {
public:
  /// Opens (creating when absent) the file `options.db_path`, checks its
  /// version and identifier and loads what the backend keeps in memory.
  /// Throws std::runtime_error, e.g. "database version 'x' is not 0.9" or
  /// "database identifier 'a' differs from the configured 'b'".
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

  /// False: events are durable only after flush().
  bool persists_on_register() const override;

  /// Writes pending changes in one transaction (growing the map when it is
  /// full); returns the batches registered since the previous flush.
  std::vector<event_batch> flush() override;

private:
  struct partition {
    uint64_t id = 0;
    hat::order_by order_by = order_by::timestamp;
    hat::subscription subscription;
    std::optional<partition_limit> limit;
  };

  /// Pending REF changes of one server (the reference's ServerChanges).
  struct server_changes {
    /// Ids in registration order; an id may be gone from `added`.
    std::vector<event_id> order;
    std::map<event_id, std::pair<event, std::vector<lmdb::format::event_ref>>>
      added;
    std::map<event_id, std::vector<lmdb::format::event_ref>> removed;
  };

  explicit lmdb_backend(lmdb::environment env);

  void load(const lmdb_backend_options& options);
  std::vector<lmdb::format::event_ref> add_latest(const event& e);
  void add_timeseries(const event& e,
                      std::vector<lmdb::format::event_ref>& refs);
  void remove_ref(const event_id& id, const lmdb::format::event_ref& ref);
  lmdb::result<void> write(lmdb::write_txn& txn);

  query_result query_latest(const query_latest_params& params) const;
  query_result query_timeseries(const query_timeseries_params& params);
  query_result query_server(const query_server_params& params);

  lmdb::dbi db(lmdb::format::db_type type) const;

  lmdb::environment env_;
  std::vector<lmdb::dbi> dbis_;
  int64_t max_results_ = 4096;
  /// Applied on register, to stored latest events at open and to stored
  /// time-series events on query, as the reference does, so that a
  /// stricter configuration hides events stored under a looser one.
  lmdb::conditions conditions_;

  std::map<int64_t, event_id> last_ids_;
  std::map<int64_t, timestamp> last_timestamps_;
  std::map<int64_t, event_id> changed_ids_;
  std::map<int64_t, timestamp> changed_timestamps_;

  hat::subscription latest_subscription_;
  std::map<event_type, uint64_t> type_refs_;
  std::map<event_type, event> latest_;
  uint64_t next_type_ref_ = 1;
  std::map<uint64_t, event> changed_latest_;
  std::map<uint64_t, event_type> changed_types_;

  std::vector<partition> partitions_;
  /// Per partition id, (key timestamp, event) in registration order.
  std::map<uint64_t, std::vector<std::pair<timestamp, event>>>
    changed_series_;

  std::map<int64_t, server_changes> changed_refs_;

  std::vector<event_batch> pending_batches_;
};

}  // namespace hat::storage
