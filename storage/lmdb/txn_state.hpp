#pragma once

/// The LMDB transaction handle shared by a transaction object and its
/// cursors, so that a cursor outliving its transaction knows it did.

#include <lmdb.h>

namespace hat::storage::lmdb::detail {

struct txn_state {
  /// Null once the transaction committed or aborted: LMDB has then freed
  /// it (and, for a write transaction, every cursor opened in it).
  MDB_txn* handle = nullptr;
  /// Read-write transactions free their cursors at their end, read-only ones
  /// leave that to mdb_cursor_close.
  bool write = false;
};

}  // namespace hat::storage::lmdb::detail
