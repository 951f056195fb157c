#pragma once

/// Read-only and read-write transactions, as two move-only types so that a
/// write on a snapshot does not compile.
///
/// Both abort in their destructor unless they ended before. Views returned
/// by get are valid until the transaction ends or (in a write transaction)
/// until its next write.
///
/// Threads: the environment is opened with MDB_NOTLS, so a read_txn is not
/// tied to the thread that began it and may be moved to and ended on
/// another (one thread at a time). A write_txn holds LMDB's writer mutex:
/// begin, use and end it on one thread.

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include <lmdb.h>

#include "storage/lmdb/cursor.hpp"
#include "storage/lmdb/dbi.hpp"
#include "storage/lmdb/error.hpp"
#include "storage/lmdb/result.hpp"
#include "storage/lmdb/txn_state.hpp"

namespace hat::storage::lmdb {

/// Size of one database (mdb_stat); the reference estimates entry sizes
/// from the page counts when cleaning up by size.
struct db_stat {
  size_t page_size = 0;
  size_t depth = 0;
  size_t branch_pages = 0;
  size_t leaf_pages = 0;
  size_t overflow_pages = 0;
  size_t entries = 0;
};

/// What both kinds of transaction can do: read.
class txn_base {
public:
  txn_base(txn_base&&) noexcept = default;
  txn_base& operator=(txn_base&& other) noexcept;
  txn_base(const txn_base&) = delete;
  txn_base& operator=(const txn_base&) = delete;

  /// False once committed, aborted or moved from.
  bool is_open() const {
    return state_ && state_->handle != nullptr;
  }

  /// The value under `key`, nullopt when there is none.
  result<std::optional<std::string_view>> get(lmdb::dbi db,
                                              std::string_view key) const;

  /// Entry count and page counts of `db` as this transaction sees it.
  result<db_stat> stat(lmdb::dbi db) const;

  /// A read-only cursor over `db`.
  result<cursor> open_cursor(lmdb::dbi db) const;

  /// mdb_txn_id: for a snapshot the id of the last write it sees, for a
  /// write transaction the id it commits as; 0 once ended. Tells whether a
  /// snapshot includes a given write.
  size_t id() const {
    return handle() ? mdb_txn_id(handle()) : 0;
  }

  /// The raw handle, for LMDB calls this layer does not wrap.
  MDB_txn* handle() const {
    return state_ ? state_->handle : nullptr;
  }

protected:
  explicit txn_base(MDB_txn* handle, bool write);
  ~txn_base();

  /// Ends the transaction without keeping anything; no-op when ended.
  void abort_now();
  /// The error for calls on an ended transaction.
  static error ended(std::string_view what, lmdb::dbi db);

  std::shared_ptr<detail::txn_state> state_;
};

/// A snapshot: sees the database as of its beginning (MVCC), whatever
/// commits meanwhile.
class read_txn : public txn_base {
public:
  read_txn(read_txn&&) noexcept = default;
  read_txn& operator=(read_txn&&) noexcept = default;

  /// Releases the snapshot now rather than at destruction.
  void abort() {
    abort_now();
  }

private:
  friend class environment;
  explicit read_txn(MDB_txn* handle) : txn_base(handle, false) {
  }
};

/// The one writer: changes are visible to others only after commit().
class write_txn : public txn_base {
public:
  write_txn(write_txn&&) noexcept = default;
  write_txn& operator=(write_txn&&) noexcept = default;

  /// Stores `value` under `key`. `flags` are MDB_* put flags; false when
  /// MDB_NOOVERWRITE found the key already there (MDB_KEYEXIST). On
  /// MDB_MAP_FULL the transaction is spoiled: abort it, grow the map
  /// (environment::set_map_size) and redo it.
  result<bool> put(lmdb::dbi db, std::string_view key, std::string_view value,
                   unsigned flags = 0);

  /// Deletes `key`; false when it was not there.
  result<bool> del(lmdb::dbi db, std::string_view key);

  /// Deletes every entry of `db`; the database itself stays.
  result<void> clear(lmdb::dbi db);

  /// A cursor that can also delete and put.
  result<write_cursor> open_write_cursor(lmdb::dbi db);

  /// Makes the changes durable and visible. The transaction is over after
  /// this call whatever the outcome: LMDB frees it even when the commit
  /// fails, so the handle is released first and never aborted again.
  result<void> commit();

  /// Drops the changes now rather than at destruction.
  void abort() {
    abort_now();
  }

private:
  friend class environment;
  explicit write_txn(MDB_txn* handle) : txn_base(handle, true) {
  }
};

}  // namespace hat::storage::lmdb
