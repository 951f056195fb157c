#include "storage/lmdb/write_jobs.hpp"

#include <stdexcept>
#include <utility>

#include "storage/lmdb/write_changes.hpp"

namespace hat::storage::lmdb {
namespace {

[[noreturn]] void fail(const error& e) {
  throw std::runtime_error("lmdb backend: " + e.message());
}

}  // namespace

flush_job::flush_job(std::shared_ptr<environment> env, const databases& dbs,
                     pending_changes changes)
  : env_(std::move(env)), dbs_(dbs), changes_(std::move(changes)) {
}

write_outcome flush_job::run() {
  auto txn = env_->begin_write();
  if (!txn)
    fail(txn.error());
  txn_id_ = txn->id();
  auto written = write_changes(*txn, dbs_, changes_);
  if (written)
    written = txn->commit();
  if (written)
    return write_outcome::done;
  // Not committed: no snapshot can show it.
  txn_id_ = 0;
  if (written.error().map_full())
    return write_outcome::map_full;
  fail(written.error());
}

bool flush_job::visible_in(const read_txn& reader) const {
  auto written = txn_id_.load();
  return written != 0 && reader.id() >= written;
}

cleanup_job::cleanup_job(std::shared_ptr<environment> env,
                         const databases& dbs,
                         std::vector<limited_partition> partitions,
                         timestamp now, std::size_t batch)
  : env_(std::move(env)),
    dbs_(dbs),
    partitions_(std::move(partitions)),
    now_(now),
    batch_(batch) {
}

write_outcome cleanup_job::run() {
  auto txn = env_->begin_write();
  if (!txn)
    fail(txn.error());
  auto removed = cleanup_partitions(*txn, dbs_, partitions_, now_, batch_);
  if (removed && *removed == 0)
    return write_outcome::done;  // nothing to commit; the txn aborts
  auto committed = removed ? txn->commit() : result<void>(removed.error());
  if (committed)
    return *removed >= batch_ ? write_outcome::more : write_outcome::done;
  auto e = removed ? committed.error() : removed.error();
  if (e.map_full())
    return write_outcome::map_full;
  fail(e);
}

}  // namespace hat::storage::lmdb
