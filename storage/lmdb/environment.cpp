#include "storage/lmdb/environment.hpp"

#include <cerrno>
#include <fcntl.h>
#include <tuple>
#include <sys/file.h>
#include <unistd.h>
#include <utility>

#include "storage/lmdb/data_file.hpp"

namespace hat::storage::lmdb {

namespace {

error make_error(int code, std::string_view what, std::string_view subject) {
  std::string context(what);
  context += subject;
  return error(code, std::move(context));
}

/// The data file opened (created when absent) and flock'ed exclusively: its
/// descriptor, and whether this call created the file.
result<std::pair<int, bool>> lock_data_file(const std::filesystem::path& path,
                                            mdb_mode_t mode) {
  bool created = true;
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0 && errno == EEXIST) {
    created = false;
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0)
    return make_error(errno, "open ", path.native());
  int rc;
  do
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    int code = errno;
    ::close(fd);
    if (code == EWOULDBLOCK)
      return error::stated(EBUSY, path.string() +
                                    " is in use: another hat-event server "
                                    "holds its lock (one server per "
                                    "db_path)");
    return make_error(code, "flock ", path.native());
  }
  return std::pair{fd, created};
}

}  // namespace

result<environment> environment::open(const std::filesystem::path& path,
                                       const open_options& options) {
  int lock_fd = -1;
  bool created = false;
  if (options.exclusive && !options.read_only) {
    auto locked = lock_data_file(path, options.mode);
    if (!locked)
      return locked.error();
    std::tie(lock_fd, created) = *locked;
  }
  // From here on the lock goes with `env` (or here, on failure).
  auto unlock = [&] {
    if (lock_fd >= 0)
      ::close(std::exchange(lock_fd, -1));
  };
  // An empty file holds no events: a writer takes it as new, as LMDB does
  // (so does the reference). It is also what a second server starting at
  // the same moment finds when it gets the lock between the first's
  // create and its flock: it must not refuse the file for that.
  std::error_code size_error;
  bool empty = !options.read_only && !created
               && std::filesystem::file_size(path, size_error) == 0
               && !size_error;
  std::error_code exists_error;
  if (!created && !empty && std::filesystem::exists(path, exists_error)) {
    if (auto checked = check_data_file(path); !checked) {
      unlock();
      return checked.error();
    }
  }
  MDB_env* raw = nullptr;
  int rc = mdb_env_create(&raw);
  if (rc != MDB_SUCCESS) {
    unlock();
    return make_error(rc, "mdb_env_create for ", path.native());
  }
  // Owned from here on: mdb_env_close is required after a failed open too.
  environment env(raw);
  env.lock_fd_ = std::exchange(lock_fd, -1);
  rc = mdb_env_set_mapsize(raw, options.map_size);
  if (rc != MDB_SUCCESS)
    return make_error(rc, "mdb_env_set_mapsize for ", path.native());
  rc = mdb_env_set_maxdbs(raw, options.max_dbs);
  if (rc != MDB_SUCCESS)
    return make_error(rc, "mdb_env_set_maxdbs for ", path.native());
  unsigned flags = MDB_NOSUBDIR | MDB_NOTLS;
  if (options.read_only)
    flags |= MDB_RDONLY;
  if (options.no_lock)
    flags |= MDB_NOLOCK;
  rc = mdb_env_open(raw, path.c_str(), flags, options.mode);
  if (rc != MDB_SUCCESS) {
    // A new file gets its meta pages written here: a full disk shows.
    auto failed = write_error(rc, "mdb_env_open " + path.string(), path);
    // Not left empty (or half written) for the next start to refuse.
    if (created) {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
    return failed;
  }
  return env;
}

environment::environment(MDB_env* env)
  : env_(env),
    dbis_(std::make_unique<std::map<std::string, MDB_dbi, std::less<>>>()) {
}

environment::environment(environment&& other) noexcept
  : env_(std::exchange(other.env_, nullptr)),
    lock_fd_(std::exchange(other.lock_fd_, -1)),
    dbis_(std::move(other.dbis_)) {
}

environment& environment::operator=(environment&& other) noexcept {
  if (this != &other) {
    close();
    env_ = std::exchange(other.env_, nullptr);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
    dbis_ = std::move(other.dbis_);
  }
  return *this;
}

environment::~environment() {
  close();
}

void environment::close() {
  if (env_ != nullptr)
    mdb_env_close(std::exchange(env_, nullptr));
  if (lock_fd_ >= 0)
    ::close(std::exchange(lock_fd_, -1));
}

result<dbi> environment::open_db(std::string_view name, bool create) {
  if (auto it = dbis_->find(name); it != dbis_->end())
    return dbi(it->second, it->first);
  // A read-only transaction can open an existing database; it must still
  // commit, since an aborted transaction closes the handles it opened.
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, create ? 0 : MDB_RDONLY, &txn);
  if (rc != MDB_SUCCESS)
    return make_error(rc, "mdb_txn_begin to open ", name);
  std::string key(name);
  MDB_dbi handle = 0;
  rc = mdb_dbi_open(txn, key.c_str(), create ? MDB_CREATE : 0, &handle);
  if (rc != MDB_SUCCESS) {
    mdb_txn_abort(txn);
    return make_error(rc, "mdb_dbi_open ", name);
  }
  rc = mdb_txn_commit(txn);
  if (rc != MDB_SUCCESS)
    return write_error(rc, "mdb_txn_commit opening " + key, env_);
  auto [it, inserted] = dbis_->emplace(std::move(key), handle);
  return dbi(it->second, it->first);
}

result<read_txn> environment::begin_read() const {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
  if (rc != MDB_SUCCESS)
    return error(rc, "mdb_txn_begin(MDB_RDONLY)");
  return read_txn(txn);
}

result<write_txn> environment::begin_write() {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
  if (rc != MDB_SUCCESS)
    return error(rc, "mdb_txn_begin");
  return write_txn(txn);
}

env_info environment::info() const {
  MDB_envinfo raw{};
  // Cannot fail: it only copies fields of the environment.
  mdb_env_info(env_, &raw);
  return env_info{raw.me_mapsize, raw.me_last_pgno, raw.me_last_txnid,
                  raw.me_maxreaders, raw.me_numreaders};
}

result<void> environment::set_map_size(size_t bytes) {
  int rc = mdb_env_set_mapsize(env_, bytes);
  if (rc != MDB_SUCCESS)
    return make_error(rc, "mdb_env_set_mapsize to ", std::to_string(bytes));
  return {};
}

result<void> environment::copy(const std::filesystem::path& path,
                               bool compact) const {
  int rc = mdb_env_copy2(env_, path.c_str(), compact ? MDB_CP_COMPACT : 0);
  if (rc != MDB_SUCCESS)
    return make_error(rc, "mdb_env_copy2 to ", path.native());
  return {};
}

result<void> environment::sync() {
  int rc = mdb_env_sync(env_, 1);
  if (rc != MDB_SUCCESS)
    return write_error(rc, "mdb_env_sync", env_);
  return {};
}

bool environment::read_only() const {
  unsigned flags = 0;
  mdb_env_get_flags(env_, &flags);
  return (flags & MDB_RDONLY) != 0;
}

}  // namespace hat::storage::lmdb
