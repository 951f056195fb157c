#include "storage/lmdb/write_changes.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "storage/lmdb/json_values.hpp"

namespace hat::storage::lmdb {
namespace {

namespace fmt = format;
using fmt::db_type;

template <class T>
T decoded(fmt::format_result<T> r, std::string_view what) {
  if (!r)
    throw std::runtime_error("lmdb backend: cannot decode " +
                             std::string(what) + ": " + r.error().detail);
  return std::move(r).value();
}

/// The REF value of `id` after `changes`: stored refs plus added, minus
/// removed.
result<void> write_refs(write_txn& txn, dbi ref_db, const event_id& id,
                        const server_changes& changes) {
  auto key = fmt::encode_event_id(id);
  auto stored = txn.get(ref_db, fmt::view(key));
  if (!stored)
    return stored.error();
  std::vector<fmt::event_ref> refs;
  if (*stored)
    refs = decoded(fmt::decode_event_refs(**stored), "event refs");
  if (auto a = changes.added.find(id); a != changes.added.end())
    for (const auto& ref : a->second.second)
      if (std::find(refs.begin(), refs.end(), ref) == refs.end())
        refs.push_back(ref);
  if (auto r = changes.removed.find(id); r != changes.removed.end())
    std::erase_if(refs, [&](const fmt::event_ref& ref) {
      return std::find(r->second.begin(), r->second.end(), ref) !=
             r->second.end();
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

  for (const auto& [ref, e] : changes.latest) {
    auto value = fmt::encode_event(e);
    HAT_TRY(put(db_type::latest_data, fmt::view(fmt::encode_uint(ref)),
                {value.data(), value.size()}));
  }
  for (const auto& [ref, type] : changes.types)
    HAT_TRY(put(db_type::latest_type, fmt::view(fmt::encode_uint(ref)),
                fmt::encode_event_type(type)));

  for (const auto& [id, entries] : changes.series) {
    for (const auto& [t, e] : entries) {
      auto value = fmt::encode_event(e);
      HAT_TRY(put(db_type::timeseries_data,
                  fmt::view(fmt::encode_timeseries_key({id, t, e.id})),
                  {value.data(), value.size()}));
    }
    auto count_key = fmt::encode_uint(id);
    auto stored = txn.get(dbs[db_type::timeseries_count], fmt::view(count_key));
    HAT_TRY(stored);
    uint64_t count =
      *stored ? decoded(fmt::decode_uint(**stored), "partition count") : 0;
    HAT_TRY(put(db_type::timeseries_count, fmt::view(count_key),
                fmt::view(fmt::encode_uint(count + entries.size()))));
  }

  for (const auto& [server, server_refs] : changes.refs) {
    // Each changed id once, in key order (LMDB writes sorted keys fastest).
    std::vector<event_id> ids;
    for (const auto& [id, entry] : server_refs.added)
      ids.push_back(id);
    for (const auto& [id, refs] : server_refs.removed)
      ids.push_back(id);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (const auto& id : ids)
      HAT_TRY(write_refs(txn, dbs[db_type::ref], id, server_refs));
  }
#undef HAT_TRY
  return {};
}

}  // namespace hat::storage::lmdb
