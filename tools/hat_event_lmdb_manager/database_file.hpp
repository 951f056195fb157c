#pragma once

/// A hat-event LMDB file (the reference's layout, format 0.9) with its nine
/// named databases open, as both commands need it.

#include <array>
#include <filesystem>

#include "storage/lmdb/dbi.hpp"
#include "storage/lmdb/environment.hpp"
#include "storage/lmdb/format.hpp"

namespace hat::tools::lmdb_manager {

class database_file {
public:
  /// Opens an existing file without ever writing to it (MDB_RDONLY; LMDB
  /// may still create the `path-lock` file next to it, as the reference's
  /// py-lmdb does). Throws command_error when the file is missing, empty,
  /// not LMDB, cut short ("... is damaged: ...", environment::open checks
  /// it before mapping) or lacks one of the nine databases, i.e. is no
  /// hat-event database. Takes no lock: a running server's file is read.
  static database_file open_read_only(const std::filesystem::path& path);

  /// Creates a new file with the nine databases empty. Throws
  /// command_error.
  static database_file create(const std::filesystem::path& path);

  storage::lmdb::dbi operator[](storage::lmdb::format::db_type type) const {
    return dbis_[static_cast<size_t>(type)];
  }

  storage::lmdb::environment& env() {
    return env_;
  }

private:
  database_file(storage::lmdb::environment env, bool create,
                const std::filesystem::path& path);

  storage::lmdb::environment env_;
  /// Indexed by db_type.
  std::array<storage::lmdb::dbi, storage::lmdb::format::all_db_types.size()>
    dbis_;
};

}  // namespace hat::tools::lmdb_manager
