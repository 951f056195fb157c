#pragma once

/// Why an LMDB call failed.
///
/// Error policy of the whole layer: nothing throws an lmdb::error. Every
/// call that can fail returns a result<T> (result.hpp) holding either the
/// value or an lmdb::error. Outcomes that are answers rather than failures
/// are values: a missing key (MDB_NOTFOUND) is an empty optional, an
/// existing key under MDB_NOOVERWRITE (MDB_KEYEXIST) is `false`. Only
/// std::bad_alloc and misuse of result (reading the value of an error) may
/// throw.

#include <string>
#include <string_view>

#include <lmdb.h>

#include "storage/lmdb/result.hpp"

namespace hat::storage::lmdb {

class error {
public:
  /// `code` is an LMDB or errno code; `context` says what was being done,
  /// e.g. "mdb_put into TIMESERIES_DATA".
  error(int code, std::string context);

  /// The LMDB (MDB_MAP_FULL, ...) or errno (ENOENT, EACCES, ...) code.
  int code() const {
    return code_;
  }

  /// What was being done when it failed.
  const std::string& context() const {
    return context_;
  }

  /// "mdb_put into TIMESERIES_DATA: MDB_MAP_FULL: Environment mapsize limit
  /// reached": the context, then mdb_strerror of the code.
  std::string message() const;

  /// The map is too small: abort the write transaction, grow the map with
  /// environment::set_map_size and retry.
  bool map_full() const {
    return code_ == MDB_MAP_FULL;
  }

private:
  int code_;
  std::string context_;
};

}  // namespace hat::storage::lmdb
