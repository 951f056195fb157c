#pragma once

/// A handle of one named database inside an environment.

#include <string_view>

#include <lmdb.h>

namespace hat::storage::lmdb {

/// Departs from lmdbxx, where dbi is move-only: an LMDB dbi is a plain
/// number that needs no closing (the environment closes them all), so this
/// handle is a trivially copyable value every store can keep a copy of.
/// Valid, like its name, while the environment that opened it lives.
class dbi {
public:
  /// A handle of no database: LMDB refuses it with EINVAL. Exists so that
  /// handles can be members assigned after the environment is opened.
  dbi() = default;

  MDB_dbi handle() const {
    return handle_;
  }

  /// The database name, e.g. "TIMESERIES_DATA"; used in error messages.
  std::string_view name() const {
    return name_;
  }

private:
  friend class environment;
  dbi(MDB_dbi handle, std::string_view name) : handle_(handle), name_(name) {
  }

  /// 0 is LMDB's internal free-page database, never valid for users.
  MDB_dbi handle_ = 0;
  std::string_view name_ = "(unopened)";
};

}  // namespace hat::storage::lmdb
