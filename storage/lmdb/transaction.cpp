#include "storage/lmdb/transaction.hpp"

#include <cerrno>
#include <string>
#include <utility>

namespace hat::storage::lmdb {

namespace {

MDB_val to_val(std::string_view bytes) {
  return {bytes.size(), const_cast<char*>(bytes.data())};
}

error make_error(int code, std::string_view what, lmdb::dbi db) {
  std::string context(what);
  context += db.name();
  return error(code, std::move(context));
}

/// make_error for a call that may write pages (see write_error).
error make_write_error(int code, std::string_view what, lmdb::dbi db,
                       MDB_txn* txn) {
  std::string context(what);
  context += db.name();
  return write_error(code, std::move(context), mdb_txn_env(txn));
}

}  // namespace

txn_base::txn_base(MDB_txn* handle, bool write)
  : state_(std::make_shared<detail::txn_state>(
      detail::txn_state{handle, write})) {
}

txn_base::~txn_base() {
  abort_now();
}

txn_base& txn_base::operator=(txn_base&& other) noexcept {
  if (this != &other) {
    abort_now();
    state_ = std::move(other.state_);
  }
  return *this;
}

void txn_base::abort_now() {
  if (state_ && state_->handle != nullptr)
    mdb_txn_abort(std::exchange(state_->handle, nullptr));
}

error txn_base::ended(std::string_view what, lmdb::dbi db) {
  std::string context(what);
  context += db.name();
  context += " after the transaction ended";
  return error(EINVAL, std::move(context));
}

result<std::optional<std::string_view>> txn_base::get(
  lmdb::dbi db, std::string_view key) const {
  if (!is_open())
    return ended("mdb_get from ", db);
  MDB_val k = to_val(key);
  MDB_val v{0, nullptr};
  int rc = mdb_get(state_->handle, db.handle(), &k, &v);
  if (rc == MDB_NOTFOUND)
    return std::optional<std::string_view>();
  if (rc != MDB_SUCCESS)
    return make_error(rc, "mdb_get from ", db);
  return std::optional<std::string_view>(
    std::string_view(static_cast<const char*>(v.mv_data), v.mv_size));
}

result<db_stat> txn_base::stat(lmdb::dbi db) const {
  if (!is_open())
    return ended("mdb_stat of ", db);
  MDB_stat s;
  int rc = mdb_stat(state_->handle, db.handle(), &s);
  if (rc != MDB_SUCCESS)
    return make_error(rc, "mdb_stat of ", db);
  return db_stat{s.ms_psize,       s.ms_depth,          s.ms_branch_pages,
                 s.ms_leaf_pages,  s.ms_overflow_pages, s.ms_entries};
}

result<cursor> txn_base::open_cursor(lmdb::dbi db) const {
  if (!is_open())
    return ended("mdb_cursor_open on ", db);
  MDB_cursor* handle = nullptr;
  int rc = mdb_cursor_open(state_->handle, db.handle(), &handle);
  if (rc != MDB_SUCCESS)
    return make_error(rc, "mdb_cursor_open on ", db);
  return cursor(state_, handle, db);
}

result<bool> write_txn::put(lmdb::dbi db, std::string_view key,
                            std::string_view value, unsigned flags) {
  if (!is_open())
    return ended("mdb_put into ", db);
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  int rc = mdb_put(state_->handle, db.handle(), &k, &v, flags);
  if (rc == MDB_KEYEXIST)
    return false;
  if (rc != MDB_SUCCESS)
    return make_write_error(rc, "mdb_put into ", db, state_->handle);
  return true;
}

result<bool> write_txn::del(lmdb::dbi db, std::string_view key) {
  if (!is_open())
    return ended("mdb_del from ", db);
  MDB_val k = to_val(key);
  int rc = mdb_del(state_->handle, db.handle(), &k, nullptr);
  if (rc == MDB_NOTFOUND)
    return false;
  if (rc != MDB_SUCCESS)
    return make_write_error(rc, "mdb_del from ", db, state_->handle);
  return true;
}

result<void> write_txn::clear(lmdb::dbi db) {
  if (!is_open())
    return ended("mdb_drop of ", db);
  int rc = mdb_drop(state_->handle, db.handle(), 0);
  if (rc != MDB_SUCCESS)
    return make_write_error(rc, "mdb_drop of ", db, state_->handle);
  return {};
}

result<write_cursor> write_txn::open_write_cursor(lmdb::dbi db) {
  if (!is_open())
    return ended("mdb_cursor_open on ", db);
  MDB_cursor* handle = nullptr;
  int rc = mdb_cursor_open(state_->handle, db.handle(), &handle);
  if (rc != MDB_SUCCESS)
    return make_error(rc, "mdb_cursor_open on ", db);
  return write_cursor(state_, handle, db);
}

result<void> write_txn::commit() {
  if (!is_open())
    return error(EINVAL, "mdb_txn_commit: transaction already ended");
  // Released first: mdb_txn_commit frees the transaction even on failure,
  // so the destructor must not abort it again.
  MDB_txn* handle = std::exchange(state_->handle, nullptr);
  MDB_env* env = mdb_txn_env(handle);
  int rc = mdb_txn_commit(handle);
  if (rc != MDB_SUCCESS)
    return write_error(rc, "mdb_txn_commit", env);
  return {};
}

}  // namespace hat::storage::lmdb
