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

#include <cstdint>
#include <filesystem>
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

  /// An error whose `message` says everything (the file, what is wrong),
  /// so message() adds no mdb_strerror text; e.g. "/x/event.db is damaged:
  /// ...". `code` stays available for callers that branch on it.
  static error stated(int code, std::string message);

  /// The LMDB (MDB_MAP_FULL, ...) or errno (ENOENT, EACCES, ...) code.
  int code() const {
    return code_;
  }

  /// What was being done when it failed.
  const std::string& context() const {
    return context_;
  }

  /// "mdb_put into TIMESERIES_DATA: MDB_MAP_FULL: Environment mapsize limit
  /// reached": the context, then mdb_strerror of the code (only the
  /// message of a stated error).
  std::string message() const;

  /// A write failed because the disk holding the data file is full (see
  /// write_error); the message says so and names the file.
  bool disk_full() const {
    return disk_full_;
  }

  /// The map is too small: abort the write transaction, grow the map with
  /// environment::set_map_size and retry.
  bool map_full() const {
    return code_ == MDB_MAP_FULL;
  }

private:
  friend error write_error(int code, std::string context,
                           const std::filesystem::path& file);

  int code_;
  std::string context_;
  bool stated_ = false;
  bool disk_full_ = false;
};

/// Free space below which an EIO from a write counts as a full disk.
inline constexpr std::uint64_t disk_full_margin = 1 << 20;

/// The error of a call that writes to the data file of `env` (put, delete,
/// commit, sync: LMDB writes pages when it commits and when a large
/// transaction spills). A full disk reaches LMDB as ENOSPC or EDQUOT, or as
/// EIO when a write comes up short (LMDB's word for a short write): those,
/// the EIO only while the file system holding the file has less than
/// disk_full_margin bytes free, become "the disk holding /x/event.db is full
/// (N bytes free): mdb_txn_commit: No space left on device". Any other
/// code is error(code, context).
error write_error(int code, std::string context, MDB_env* env);

/// write_error for the data file `file`.
error write_error(int code, std::string context,
                  const std::filesystem::path& file);

}  // namespace hat::storage::lmdb
