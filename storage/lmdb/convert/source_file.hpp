#pragma once

/// The database file being converted, read so that it stays byte for byte
/// as it was, and its entries with what names them in error messages.

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "storage/lmdb/convert/conversion_error.hpp"
#include "storage/lmdb/dbi.hpp"
#include "storage/lmdb/environment.hpp"
#include "storage/lmdb/format_error.hpp"
#include "storage/lmdb/transaction.hpp"

namespace hat::storage::lmdb::convert {

class source_file {
public:
  /// Opens the file `path` read-only (MDB_RDONLY). With LMDB's lock file
  /// when `path-lock` exists: a server may have the file open, and its
  /// writes must not reuse pages this conversion reads. Without (MDB_NOLOCK)
  /// otherwise: no process has the file open with locks then, and no lock
  /// file is created beside it (the reference's py-lmdb creates one).
  ///
  /// Errors as the reference's py-lmdb says them, "<path>: <mdb_strerror>",
  /// e.g. "v.db: MDB_INVALID: File is not an LMDB file" (an empty file
  /// too) or "d: Is a directory"; except for a damaged file or one of
  /// another LMDB data format, whose messages (environment::open) say more.
  static conversion_result<source_file> open(
    const std::filesystem::path& path);

  /// The named database; nullopt when the file has none, or `name` is a
  /// key of the main database rather than a database (MDB_INCOMPATIBLE).
  /// Throws conversion_failure on other LMDB failures.
  std::optional<lmdb::dbi> find_db(std::string_view name);

  /// The named database; conversion_failure "<path> has no database
  /// <name>" when the file has none.
  lmdb::dbi db(std::string_view name);

  const std::filesystem::path& path() const {
    return path_;
  }

  const lmdb::environment& env() const {
    return env_;
  }

private:
  source_file(lmdb::environment env, std::filesystem::path path)
    : env_(std::move(env)), path_(std::move(path)) {
  }

  lmdb::environment env_;
  std::filesystem::path path_;
};

/// One stored entry of the source.
class source_entry {
public:
  source_entry(const std::filesystem::path& file, lmdb::dbi db,
               std::string_view key, std::string_view value)
    : key(key), value(value), file_(file), db_(db) {
  }

  /// Views into the memory map, valid while the snapshot lives.
  std::string_view key;
  std::string_view value;

  /// The value of `r`; otherwise a conversion_failure naming the file, the
  /// database and the key (in hex): "<file>: <db> key <hex>: <what>:
  /// <why>".
  template <class T>
  T decoded(format::format_result<T> r, std::string_view what) const {
    if (!r)
      fail(std::string(what) + ": " + r.error().detail);
    return std::move(r).value();
  }

  /// Throws a conversion_failure: "<file>: <db> key <hex>: <why>".
  [[noreturn]] void fail(std::string_view why) const;

private:
  const std::filesystem::path& file_;
  lmdb::dbi db_;
};

/// One read transaction over the source: every database is read as of the
/// same moment.
class source_snapshot {
public:
  /// `stop`, when given, ends the conversion ("interrupted") once it is
  /// set; it is looked at before each entry.
  source_snapshot(source_file& file, const std::atomic<bool>* stop);

  /// Calls `visit(const source_entry&)` for every entry of `db` in key
  /// order.
  template <class Visit>
  void for_each(lmdb::dbi db, Visit&& visit) const {
    auto cursor = lmdb_checked(txn_.open_cursor(db));
    for (auto at = lmdb_checked(cursor.first()); at;
         at = lmdb_checked(cursor.next())) {
      check_stop();
      visit(source_entry(file_.path(), db, at->key, at->value));
    }
  }

  /// The value under `key` of `db`, nullopt when there is none.
  std::optional<std::string_view> get(lmdb::dbi db,
                                      std::string_view key) const {
    return lmdb_checked(txn_.get(db, key));
  }

  source_file& file() const {
    return file_;
  }

private:
  void check_stop() const;

  source_file& file_;
  lmdb::read_txn txn_;
  const std::atomic<bool>* stop_;
};

}  // namespace hat::storage::lmdb::convert
