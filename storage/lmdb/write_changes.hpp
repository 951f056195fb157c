#pragma once

/// Writes one flush's changes inside a write transaction, as the
/// reference's ext_write of every store: last ids and timestamps, latest
/// events and types, time-series entries with their partition counts, and
/// REF entries merged with what is stored.

#include "storage/lmdb/databases.hpp"
#include "storage/lmdb/pending_changes.hpp"
#include "storage/lmdb/result.hpp"
#include "storage/lmdb/transaction.hpp"

namespace hat::storage::lmdb {

/// An LMDB error (MDB_MAP_FULL among them) comes back as a value; a stored
/// value that does not decode throws std::runtime_error.
result<void> write_changes(write_txn& txn, const databases& dbs,
                           const pending_changes& changes);

}  // namespace hat::storage::lmdb
