#include "storage/lmdb/write_changes.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "protocol/eventer_codec.hpp"
#include "storage/lmdb/json_values.hpp"

namespace hat::storage::lmdb {
namespace {

namespace fmt = format;
using fmt::db_type;

/// Puts a stream of keys that usually arrive in ascending order, each
/// above every key already stored (new events' time-series keys and REF
/// ids). While that holds, MDB_APPEND through one cursor skips the tree
/// search and fills pages completely; the first key that does not sort
/// last (another partition or server after it, a source timestamp out of
/// order) switches the rest of the stream to ordinary puts.
class appender {
public:
  explicit appender(write_cursor cursor) : cursor_(std::move(cursor)) {
  }

  /// False when MDB_NOOVERWRITE found `key` stored (append mode never
  /// does: a refused append is retried as an ordinary put).
  result<bool> put(std::string_view key, std::string_view value,
                   unsigned flags = 0) {
    if (appending_) {
      auto r = cursor_.put(key, value, flags | MDB_APPEND);
      if (!r || *r)
        return r;
      appending_ = false;
    }
    return cursor_.put(key, value, flags);
  }

private:
  write_cursor cursor_;
  bool appending_ = true;
};

result<appender> open_appender(write_txn& txn, dbi db) {
  auto c = txn.open_write_cursor(db);
  if (!c)
    return c.error();
  return appender(std::move(*c));
}

/// The REF value of a written event after `removed` (and `added`, when
/// the same flush also added references to it).
result<void> merge_refs(write_txn& txn, dbi ref_db, const event_id& id,
                        const added_event* added,
                        const std::vector<fmt::event_ref>& removed) {
  auto key = fmt::encode_event_id(id);
  auto stored = txn.get(ref_db, fmt::view(key));
  if (!stored)
    return stored.error();
  std::vector<fmt::event_ref> refs;
  if (*stored)
    refs = fmt::decoded_or_throw(fmt::decode_event_refs(**stored), "event refs");
  if (added)
    for (const auto& ref : added->refs)
      if (std::find(refs.begin(), refs.end(), ref) == refs.end())
        refs.push_back(ref);
  std::erase_if(refs, [&](const fmt::event_ref& ref) {
    return std::find(removed.begin(), removed.end(), ref) != removed.end();
  });
  if (refs.empty()) {
    auto del = txn.del(ref_db, fmt::view(key));
    if (!del)
      return del.error();
    return {};
  }
  auto put = txn.put(ref_db, fmt::view(key), fmt::encode_event_refs(refs));
  if (!put)
    return put.error();
  return {};
}

/// REF entries of one server. Added events are new (their ids are above
/// every stored one), so they are put without reading; only events that
/// lose references are read and merged.
result<void> write_server_refs(write_txn& txn, dbi ref_db,
                               const server_changes& changes) {
  auto added_refs = open_appender(txn, ref_db);
  if (!added_refs)
    return added_refs.error();
  auto removed = changes.removed.begin();
  for (const auto& added : changes.added) {
    const auto& id = added.e->id;
    for (; removed != changes.removed.end() && removed->first < id; ++removed)
      if (auto r = merge_refs(txn, ref_db, removed->first, nullptr,
                              removed->second);
          !r)
        return r;
    if (removed != changes.removed.end() && removed->first == id) {
      if (auto r = merge_refs(txn, ref_db, id, &added, removed->second); !r)
        return r;
      ++removed;
      continue;
    }
    if (added.refs.empty())
      continue;
    auto key = fmt::encode_event_id(id);
    auto put = added_refs->put(fmt::view(key),
                               fmt::encode_event_refs(added.refs),
                               MDB_NOOVERWRITE);
    if (!put)
      return put.error();
    if (!*put)  // stored after all (a file from elsewhere): merge
      if (auto r = merge_refs(txn, ref_db, id, &added, {}); !r)
        return r;
  }
  for (; removed != changes.removed.end(); ++removed)
    if (auto r =
          merge_refs(txn, ref_db, removed->first, nullptr, removed->second);
        !r)
      return r;
  return {};
}

}  // namespace

result<void> write_changes(write_txn& txn, const databases& dbs,
                           const pending_changes& changes) {
  auto put = [&](db_type type, std::string_view k,
                 std::string_view v) -> result<void> {
    auto r = txn.put(dbs[type], k, v);
    if (!r)
      return r.error();
    return {};
  };
#define HAT_TRY(expr)        \
  if (auto r_ = (expr); !r_) \
    return r_.error();

  for (const auto& [server, id] : changes.last_ids)
    HAT_TRY(put(db_type::system_last_event_id,
                fmt::view(fmt::encode_uint(server)),
                fmt::view(fmt::encode_event_id(id))));
  for (const auto& [server, t] : changes.last_timestamps)
    HAT_TRY(put(db_type::system_last_timestamp,
                fmt::view(fmt::encode_uint(server)),
                fmt::view(fmt::encode_timestamp(t))));

  // One buffer for every encoded event: no allocation per value.
  std::vector<char> value;
  auto encoded = [&](const event& e) {
    value.clear();
    eventer::append_encoded(value, e);
    return std::string_view(value.data(), value.size());
  };

  for (const auto& [ref, e] : changes.latest)
    HAT_TRY(put(db_type::latest_data, fmt::view(fmt::encode_uint(ref)),
                encoded(*e)));
  for (const auto& [ref, type] : changes.types)
    HAT_TRY(put(db_type::latest_type, fmt::view(fmt::encode_uint(ref)),
                fmt::encode_event_type(type)));

  for (const auto& [id, entries] : changes.series) {
    auto series = open_appender(txn, dbs[db_type::timeseries_data]);
    if (!series)
      return series.error();
    for (const auto& [t, e] : entries)
      HAT_TRY(series->put(fmt::view(fmt::encode_timeseries_key({id, t, e->id})),
                          encoded(*e)));
    auto count_key = fmt::encode_uint(id);
    auto stored = txn.get(dbs[db_type::timeseries_count], fmt::view(count_key));
    HAT_TRY(stored);
    uint64_t count =
      *stored ? fmt::decoded_or_throw(fmt::decode_uint(**stored), "partition count") : 0;
    HAT_TRY(put(db_type::timeseries_count, fmt::view(count_key),
                fmt::view(fmt::encode_uint(count + entries.size()))));
  }

  for (const auto& [server, server_refs] : changes.refs)
    HAT_TRY(write_server_refs(txn, dbs[db_type::ref], server_refs));
#undef HAT_TRY
  return {};
}

}  // namespace hat::storage::lmdb
