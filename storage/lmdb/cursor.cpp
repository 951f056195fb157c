#include "storage/lmdb/cursor.hpp"

#include <cerrno>
#include <string>
#include <utility>

namespace hat::storage::lmdb {

namespace {

MDB_val to_val(std::string_view bytes) {
  return {bytes.size(), const_cast<char*>(bytes.data())};
}

std::string_view to_view(const MDB_val& val) {
  return {static_cast<const char*>(val.mv_data), val.mv_size};
}

const char* op_name(MDB_cursor_op op) {
  switch (op) {
  case MDB_FIRST:
    return "MDB_FIRST";
  case MDB_LAST:
    return "MDB_LAST";
  case MDB_NEXT:
    return "MDB_NEXT";
  case MDB_PREV:
    return "MDB_PREV";
  case MDB_SET_RANGE:
    return "MDB_SET_RANGE";
  case MDB_SET_KEY:
    return "MDB_SET_KEY";
  case MDB_GET_CURRENT:
    return "MDB_GET_CURRENT";
  default:
    return "?";
  }
}

}  // namespace

cursor::cursor(std::shared_ptr<const detail::txn_state> txn,
               MDB_cursor* handle, lmdb::dbi db)
  : txn_(std::move(txn)), handle_(handle), db_(db) {
}

cursor::cursor(cursor&& other) noexcept
  : txn_(std::move(other.txn_)),
    handle_(std::exchange(other.handle_, nullptr)),
    db_(other.db_) {
}

cursor& cursor::operator=(cursor&& other) noexcept {
  if (this != &other) {
    close();
    txn_ = std::move(other.txn_);
    handle_ = std::exchange(other.handle_, nullptr);
    db_ = other.db_;
  }
  return *this;
}

cursor::~cursor() {
  close();
}

void cursor::close() {
  if (handle_ == nullptr)
    return;
  // A write transaction frees its cursors when it ends; closing one again
  // would be a double free. Read-only cursors always need closing.
  if (!txn_->write || txn_->handle != nullptr)
    mdb_cursor_close(handle_);
  handle_ = nullptr;
}

bool cursor::usable() const {
  return handle_ != nullptr && txn_->handle != nullptr;
}

error cursor::make_error(int code, std::string_view what) const {
  std::string context(what);
  context += " in ";
  context += db_.name();
  return error(code, std::move(context));
}

position cursor::get(MDB_cursor_op op, std::string_view key) {
  // The context is only built on failure: walks call this per entry.
  auto what = [op] {
    return std::string("mdb_cursor_get(") + op_name(op) + ")";
  };
  if (!usable())
    return make_error(EINVAL, what() + " after the transaction ended");
  MDB_val k = to_val(key);
  MDB_val v{0, nullptr};
  int rc = mdb_cursor_get(handle_, &k, &v, op);
  if (rc == MDB_NOTFOUND)
    return std::optional<entry>();
  if (rc != MDB_SUCCESS)
    return make_error(rc, what());
  return std::optional<entry>(entry{to_view(k), to_view(v)});
}

position cursor::first() {
  return get(MDB_FIRST);
}

position cursor::last() {
  return get(MDB_LAST);
}

position cursor::next() {
  return get(MDB_NEXT);
}

position cursor::prev() {
  return get(MDB_PREV);
}

position cursor::seek(std::string_view key) {
  return get(MDB_SET_RANGE, key);
}

position cursor::find(std::string_view key) {
  return get(MDB_SET_KEY, key);
}

position cursor::current() {
  return get(MDB_GET_CURRENT);
}

result<void> write_cursor::del() {
  if (!usable())
    return make_error(EINVAL, "mdb_cursor_del after the transaction ended");
  int rc = mdb_cursor_del(handle_, 0);
  if (rc != MDB_SUCCESS)
    return write_error(rc, "mdb_cursor_del in " + std::string(db_.name()),
                       mdb_txn_env(mdb_cursor_txn(handle_)));
  return {};
}

result<bool> write_cursor::put(std::string_view key, std::string_view value,
                               unsigned flags) {
  if (!usable())
    return make_error(EINVAL, "mdb_cursor_put after the transaction ended");
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  int rc = mdb_cursor_put(handle_, &k, &v, flags);
  if (rc == MDB_KEYEXIST)
    return false;
  if (rc != MDB_SUCCESS)
    return write_error(rc, "mdb_cursor_put in " + std::string(db_.name()),
                       mdb_txn_env(mdb_cursor_txn(handle_)));
  return true;
}

}  // namespace hat::storage::lmdb
