#pragma once

/// Walking the entries of one database in key order, as query and copy
/// both do.

#include <string_view>

#include "storage/lmdb/dbi.hpp"
#include "storage/lmdb/transaction.hpp"
#include "tools/hat_event_lmdb_manager/failure.hpp"

namespace hat::tools::lmdb_manager {

/// Calls `visit(key, value)` for every entry of `db` whose key starts with
/// `prefix` (every entry when it is empty). Keys of one server or one
/// partition share their first 8 bytes, so a filter by either is a seek
/// rather than a scan. Throws command_error.
template <class Visit>
void for_each_entry(const storage::lmdb::txn_base& txn,
                    storage::lmdb::dbi db, std::string_view prefix,
                    Visit&& visit) {
  auto cursor = checked(txn.open_cursor(db));
  // LMDB refuses an empty key, so no seek for "everything".
  auto at = checked(prefix.empty() ? cursor.first() : cursor.seek(prefix));
  for (; at && at->key.starts_with(prefix); at = checked(cursor.next()))
    visit(at->key, at->value);
}

}  // namespace hat::tools::lmdb_manager
