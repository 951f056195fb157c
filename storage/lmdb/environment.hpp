#pragma once

/// An LMDB environment: one memory-mapped file holding named databases.
///
/// Opened as the reference opens it (subdir=false: `path` is the data file
/// and `path-lock` its lock file) plus MDB_NOTLS: CAF moves actors between
/// threads, so a reader must not be tied to the thread that began it
/// (py-lmdb always sets MDB_NOTLS for the same reason).
///
/// An existing file is checked before LMDB maps it (data_file.hpp): an
/// empty, foreign or damaged file is refused rather than opened into a
/// SIGBUS later.
///
/// Errors are values (see error.hpp). Transactions, cursors and dbi handles
/// must not outlive the environment.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <lmdb.h>

#include "storage/lmdb/dbi.hpp"
#include "storage/lmdb/error.hpp"
#include "storage/lmdb/result.hpp"
#include "storage/lmdb/transaction.hpp"

namespace hat::storage::lmdb {

/// The reference's map size: 1 TiB on 64-bit, 2 GiB otherwise. Only
/// address space; the file grows with its content.
inline constexpr size_t default_map_size =
  sizeof(void*) >= 8 ? size_t{1} << 40 : size_t{2} << 30;

struct open_options {
  /// Upper bound of the file size; see environment::set_map_size.
  size_t map_size = default_map_size;
  /// How many named databases may be opened (the reference has 9).
  unsigned max_dbs = 9;
  /// Opens an existing file for reading only; write transactions fail.
  bool read_only = false;
  /// Permissions of newly created files, before the umask.
  mdb_mode_t mode = 0644;
  /// Holds an exclusive lock (flock) on the data file for the life of the
  /// environment, so that a second writer on the same file (another server
  /// with the same db_path, in this process or another) is refused with an
  /// error naming the file (code EBUSY) instead of writing beside the first.
  /// Not with read_only: readers (hat-event-lmdb-manager) neither take nor
  /// heed it. Independent of LMDB's own fcntl locks on `path-lock`.
  bool exclusive = false;
  /// Opens without LMDB's lock file (MDB_NOLOCK): no `path-lock` is
  /// created or used, and neither are other processes' readers and writers
  /// seen. Only for a file no other process has open: one being converted
  /// whose lock file does not exist, or a private file being written.
  bool no_lock = false;
};

/// mdb_env_info.
struct env_info {
  /// Current map size in bytes.
  size_t map_size = 0;
  /// Number of the last page in use: (last_page + 1) pages hold data.
  size_t last_page = 0;
  /// Id of the last committed transaction.
  size_t last_txn_id = 0;
  /// Size of the reader table.
  unsigned max_readers = 0;
  /// Reader slots used so far: a high-water mark, not the active count.
  unsigned readers = 0;
};

/// Move-only owner of an MDB_env.
class environment {
public:
  /// Opens (creating unless read-only) the file at `path`.
  static result<environment> open(const std::filesystem::path& path,
                                  const open_options& options = {});

  environment(environment&& other) noexcept;
  environment& operator=(environment&& other) noexcept;
  environment(const environment&) = delete;
  environment& operator=(const environment&) = delete;
  ~environment();

  /// The handle of the named database `name`, created first if `create`
  /// (which needs a writable environment). A database that does not exist
  /// and is not created is an error with code MDB_NOTFOUND. Each name is
  /// opened in LMDB once; later calls return the same handle. Not
  /// thread-safe (LMDB forbids concurrent mdb_dbi_open): open every
  /// database at start-up, before other transactions run.
  result<dbi> open_db(std::string_view name, bool create);

  /// A snapshot transaction. MDB_MAP_RESIZED means another process grew
  /// the map: set_map_size(0) adopts its size, then retry.
  result<read_txn> begin_read() const;

  /// The write transaction; blocks while another one is active. A thread
  /// that holds one must not begin another: it would wait for itself.
  result<write_txn> begin_write();

  env_info info() const;

  /// The current map size in bytes.
  size_t map_size() const {
    return info().map_size;
  }

  /// Changes the map size (0 adopts the size another process set). Only
  /// while this process has no transaction active: after MDB_MAP_FULL,
  /// abort the write transaction first.
  result<void> set_map_size(size_t bytes);

  /// Writes a consistent copy to the file `path`, which must not exist
  /// (mdb_env_copy2); `compact` leaves out free pages and renumbers them.
  result<void> copy(const std::filesystem::path& path, bool compact) const;

  /// Flushes the data to disk (mdb_env_sync with force).
  result<void> sync();

  bool read_only() const;

  /// The raw handle, for LMDB calls this layer does not wrap.
  MDB_env* handle() const {
    return env_;
  }

private:
  explicit environment(MDB_env* env);
  void close();

  MDB_env* env_ = nullptr;
  /// The data file, open and flock'ed while the environment is (exclusive
  /// only); -1 otherwise. Closed after env_.
  int lock_fd_ = -1;
  /// Opened names; on the heap so that the names dbi handles view stay put
  /// when the environment moves.
  std::unique_ptr<std::map<std::string, MDB_dbi, std::less<>>> dbis_;
};

}  // namespace hat::storage::lmdb
