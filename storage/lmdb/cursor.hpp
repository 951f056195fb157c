#pragma once

/// Cursors: ordered walks over one database inside one transaction.
///
/// Intended use: a cursor lives in a scope nested in its transaction's and
/// is closed before commit (lmdbxx, lmdb-safe). A cursor that outlives its
/// transaction anyway stays safe: its operations then fail with EINVAL and
/// its destructor does not touch the handle LMDB already freed.
///
/// Keys and values are views into the memory map, valid until the
/// transaction ends or (in a write transaction) until the next write.

#include <memory>
#include <optional>
#include <string_view>

#include <lmdb.h>

#include "storage/lmdb/dbi.hpp"
#include "storage/lmdb/error.hpp"
#include "storage/lmdb/result.hpp"
#include "storage/lmdb/txn_state.hpp"

namespace hat::storage::lmdb {

/// One key/value pair as stored.
struct entry {
  std::string_view key;
  std::string_view value;
};

/// A position, or nullopt when the walk fell off either end (MDB_NOTFOUND).
using position = result<std::optional<entry>>;

/// A read-only cursor; see write_cursor for deleting while walking.
class cursor {
public:
  cursor(cursor&& other) noexcept;
  cursor& operator=(cursor&& other) noexcept;
  cursor(const cursor&) = delete;
  cursor& operator=(const cursor&) = delete;
  ~cursor();

  /// Smallest key.
  position first();
  /// Largest key.
  position last();
  /// The key after the current one (the first when not positioned).
  position next();
  /// The key before the current one (the last when not positioned).
  position prev();
  /// Smallest key >= `key` (MDB_SET_RANGE).
  position seek(std::string_view key);
  /// Exactly `key` (MDB_SET_KEY).
  position find(std::string_view key);
  /// The current pair.
  position current();

protected:
  friend class txn_base;
  cursor(std::shared_ptr<const detail::txn_state> txn, MDB_cursor* handle,
         lmdb::dbi db);

  /// Runs mdb_cursor_get with `op`; `key` is the input of seek and find.
  position get(MDB_cursor_op op, std::string_view key = {});
  /// EINVAL when the transaction is over, so nothing touches freed memory.
  bool usable() const;
  error make_error(int code, std::string_view what) const;

  std::shared_ptr<const detail::txn_state> txn_;
  MDB_cursor* handle_ = nullptr;
  lmdb::dbi db_;

private:
  void close();
};

/// A cursor of a write transaction: may also change the database.
class write_cursor : public cursor {
public:
  /// Deletes the current pair; next() then yields the pair that followed
  /// it, so a walk can delete as it goes.
  result<void> del();

  /// Stores `value` under `key` and moves there. `flags` are MDB_* put
  /// flags; false when MDB_NOOVERWRITE found the key already there.
  result<bool> put(std::string_view key, std::string_view value,
                   unsigned flags = 0);

private:
  friend class write_txn;
  using cursor::cursor;
};

}  // namespace hat::storage::lmdb
