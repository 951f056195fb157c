#include "storage/lmdb/cleanup.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace hat::storage::lmdb {
namespace {

namespace fmt = format;
using fmt::db_type;

/// (event id, reference) of each removed entry, for the REF cleanup.
using removed_refs = std::vector<std::pair<event_id, fmt::event_ref>>;

/// The most entries `limit` keeps, before min_entries; nullopt: no bound.
result<std::optional<int64_t>> max_entries_of(const write_txn& txn,
                                              const databases& dbs,
                                              const partition_limit& limit) {
  std::optional<int64_t> max_entries;
  if (limit.size) {
    // As the reference: the average entry size over the whole database
    // (every partition), from its pages as this transaction sees them.
    auto stat = txn.stat(dbs[db_type::timeseries_data]);
    if (!stat)
      return stat.error();
    if (stat->entries) {
      double total = static_cast<double>(stat->page_size) *
                     static_cast<double>(stat->branch_pages +
                                         stat->leaf_pages +
                                         stat->overflow_pages);
      double entry_size = total / static_cast<double>(stat->entries);
      max_entries =
        static_cast<int64_t>(static_cast<double>(*limit.size) / entry_size);
    }
  }
  if (limit.max_entries)
    max_entries = max_entries ? std::min(*max_entries, *limit.max_entries)
                              : *limit.max_entries;
  return max_entries;
}

result<std::size_t> cleanup_partition(write_txn& txn, const databases& dbs,
                                      const limited_partition& partition,
                                      const timestamp& now,
                                      std::size_t max_removed,
                                      removed_refs& removed) {
  const auto& limit = partition.limit;
  auto max_entries = max_entries_of(txn, dbs, limit);
  if (!max_entries)
    return max_entries.error();
  int64_t min_entries = limit.min_entries.value_or(0);
  std::optional<fmt::bytes<fmt::timeseries_key_size>> duration_key;
  if (limit.duration)
    duration_key = fmt::encode_timeseries_key(
      {partition.id, add_seconds(now, -*limit.duration), event_id{0, 0, 0}});

  auto count_key = fmt::encode_uint(partition.id);
  auto stored_count =
    txn.get(dbs[db_type::timeseries_count], fmt::view(count_key));
  if (!stored_count)
    return stored_count.error();
  int64_t count = *stored_count ? static_cast<int64_t>(fmt::decoded_or_throw(
                                    fmt::decode_uint(**stored_count),
                                    "partition count"))
                                : 0;

  constexpr timestamp oldest{std::numeric_limits<int64_t>::min(), 0};
  auto start = fmt::encode_timeseries_key({partition.id, oldest, {0, 0, 0}});
  auto stop =
    fmt::encode_timeseries_key({partition.id + 1, oldest, {0, 0, 0}});
  auto cursor = txn.open_write_cursor(dbs[db_type::timeseries_data]);
  if (!cursor)
    return cursor.error();

  std::size_t n = 0;
  auto pos = cursor->seek(fmt::view(start));
  for (;;) {
    if (!pos)
      return pos.error();
    if (!*pos || n >= max_removed)
      break;
    auto remaining = count - static_cast<int64_t>(n);
    if (remaining <= min_entries)
      break;
    auto key = (*pos)->key;
    if (!(key < fmt::view(stop)))
      break;
    bool within_count = !*max_entries || remaining <= **max_entries;
    bool within_duration = !duration_key || !(key < fmt::view(*duration_key));
    if (within_count && within_duration)
      break;
    auto decoded_key = fmt::decoded_or_throw(fmt::decode_timeseries_key(key),
                               "time-series key");
    removed.emplace_back(decoded_key.event_id,
                         fmt::timeseries_event_ref{decoded_key});
    if (auto del = cursor->del(); !del)
      return del.error();
    ++n;
    // After a delete, next() yields the pair that followed the deleted one.
    pos = cursor->next();
  }

  if (n > 0) {
    auto put = txn.put(dbs[db_type::timeseries_count], fmt::view(count_key),
                       fmt::view(fmt::encode_uint(
                         static_cast<uint64_t>(count - static_cast<int64_t>(n)))));
    if (!put)
      return put.error();
  }
  return n;
}

result<void> remove_refs(write_txn& txn, const databases& dbs,
                         const removed_refs& removed) {
  auto ref_db = dbs[db_type::ref];
  for (const auto& [id, ref] : removed) {
    auto key = fmt::encode_event_id(id);
    auto stored = txn.get(ref_db, fmt::view(key));
    if (!stored)
      return stored.error();
    if (!*stored)
      continue;
    auto refs = fmt::decoded_or_throw(fmt::decode_event_refs(**stored), "event refs");
    std::erase(refs, ref);
    if (refs.empty()) {
      if (auto del = txn.del(ref_db, fmt::view(key)); !del)
        return del.error();
    } else if (auto put = txn.put(ref_db, fmt::view(key),
                                  fmt::encode_event_refs(refs));
               !put) {
      return put.error();
    }
  }
  return {};
}

}  // namespace

result<std::size_t> cleanup_partitions(
  write_txn& txn, const databases& dbs,
  std::span<const limited_partition> partitions, const timestamp& now,
  std::size_t max_removed) {
  removed_refs removed;
  for (const auto& partition : partitions) {
    if (removed.size() >= max_removed)
      break;
    auto n = cleanup_partition(txn, dbs, partition, now,
                               max_removed - removed.size(), removed);
    if (!n)
      return n.error();
  }
  if (auto r = remove_refs(txn, dbs, removed); !r)
    return r.error();
  return removed.size();
}

timestamp add_seconds(const timestamp& t, double seconds) {
  double whole = std::trunc(seconds);
  // nearbyint rounds halves to even in the default rounding mode, as
  // Python's round does.
  auto us = static_cast<int64_t>(t.us) +
            static_cast<int64_t>(std::nearbyint((seconds - whole) * 1e6));
  int64_t s = t.s + static_cast<int64_t>(whole);
  constexpr int64_t per_second = 1'000'000;
  int64_t carry = us >= 0 ? us / per_second : -((-us + per_second - 1) /
                                                per_second);
  return {s + carry, static_cast<int32_t>(us - carry * per_second)};
}

}  // namespace hat::storage::lmdb
