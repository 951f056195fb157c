#include "storage/lmdb/environment.hpp"

#include <utility>

namespace hat::storage::lmdb {

namespace {

error make_error(int code, std::string_view what, std::string_view subject) {
  std::string context(what);
  context += subject;
  return error(code, std::move(context));
}

}  // namespace

result<environment> environment::open(const std::filesystem::path& path,
                                       const open_options& options) {
  MDB_env* raw = nullptr;
  int rc = mdb_env_create(&raw);
  if (rc != MDB_SUCCESS)
    return make_error(rc, "mdb_env_create for ", path.native());
  // Owned from here on: mdb_env_close is required after a failed open too.
  environment env(raw);
  rc = mdb_env_set_mapsize(raw, options.map_size);
  if (rc != MDB_SUCCESS)
    return make_error(rc, "mdb_env_set_mapsize for ", path.native());
  rc = mdb_env_set_maxdbs(raw, options.max_dbs);
  if (rc != MDB_SUCCESS)
    return make_error(rc, "mdb_env_set_maxdbs for ", path.native());
  unsigned flags = MDB_NOSUBDIR | MDB_NOTLS;
  if (options.read_only)
    flags |= MDB_RDONLY;
  rc = mdb_env_open(raw, path.c_str(), flags, options.mode);
  if (rc != MDB_SUCCESS)
    return make_error(rc, "mdb_env_open ", path.native());
  return env;
}

environment::environment(MDB_env* env)
  : env_(env),
    dbis_(std::make_unique<std::map<std::string, MDB_dbi, std::less<>>>()) {
}

environment::environment(environment&& other) noexcept
  : env_(std::exchange(other.env_, nullptr)), dbis_(std::move(other.dbis_)) {
}

environment& environment::operator=(environment&& other) noexcept {
  if (this != &other) {
    close();
    env_ = std::exchange(other.env_, nullptr);
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
    return make_error(rc, "mdb_txn_commit opening ", name);
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
    return error(rc, "mdb_env_sync");
  return {};
}

bool environment::read_only() const {
  unsigned flags = 0;
  mdb_env_get_flags(env_, &flags);
  return (flags & MDB_RDONLY) != 0;
}

}  // namespace hat::storage::lmdb
