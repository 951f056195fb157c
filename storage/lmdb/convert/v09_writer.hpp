#pragma once

/// The v0.9 file a conversion fills (server.md § Backends, format.hpp):
/// its nine named databases and the one write transaction that writes
/// everything, so that the file holds all of the conversion or nothing.
/// Every call throws conversion_failure when LMDB fails (a full disk is
/// said so, see lmdb::write_error).

#include <cstdint>

#include "protocol/event.hpp"
#include "storage/lmdb/databases.hpp"
#include "storage/lmdb/environment.hpp"
#include "storage/lmdb/format.hpp"
#include "storage/lmdb/json_values.hpp"
#include "storage/lmdb/transaction.hpp"

namespace hat::storage::lmdb::convert {

class v09_writer {
public:
  /// Creates the nine databases in `env`, a new file, and begins the write
  /// transaction. `env` must outlive the writer.
  static v09_writer begin(lmdb::environment& env);

  /// SYSTEM_SETTINGS[VERSION] = "0.9". No IDENTIFIER, as the reference's
  /// converter: the backend adopts the configured one on its first start.
  void put_version();

  /// SYSTEM_LAST_EVENT_ID and SYSTEM_LAST_TIMESTAMP of `server_id`.
  /// Components of `id` must not be negative (format.hpp).
  void put_last_event(uint64_t server_id, const event_id& id,
                      const hat::timestamp& t);

  /// Adds `ref` to the refs REF holds for `id`, unless there already: the
  /// reference keeps them as a set.
  void add_ref(const event_id& id, const format::event_ref& ref);

  /// LATEST_DATA[type_ref] = `e`.
  void put_latest(uint64_t type_ref, const event& e);

  /// LATEST_TYPE[type_ref] = `type` as JSON.
  void put_latest_type(uint64_t type_ref, const event_type& type);

  /// TIMESERIES_DATA[key] = `e`.
  void put_timeseries(const format::timeseries_key& key, const event& e);

  /// TIMESERIES_PARTITION[partition_id] = `description` as JSON.
  void put_partition(uint64_t partition_id,
                     const format::partition_description& description);

  /// TIMESERIES_COUNT[partition_id] = `count`.
  void put_count(uint64_t partition_id, uint64_t count);

  /// Makes it all durable (LMDB syncs the file on commit). The writer is
  /// spent afterwards.
  void commit();

private:
  v09_writer(lmdb::databases dbs, lmdb::write_txn txn)
    : dbs_(dbs), txn_(std::move(txn)) {
  }

  void put(format::db_type db, std::string_view key, std::string_view value);

  lmdb::databases dbs_;
  lmdb::write_txn txn_;
};

}  // namespace hat::storage::lmdb::convert
