#include "storage/memory_backend.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "protocol/event_type.hpp"
#include "protocol/subscription.hpp"

namespace hat::storage {
namespace {

/// How many events a page may hold. The reference slices a Python list, so a
/// negative max_results would drop events from the end; 0 is the only
/// sensible reading.
std::size_t page_limit(const std::optional<int64_t>& max_results) {
  if (!max_results)
    return std::numeric_limits<std::size_t>::max();
  return static_cast<std::size_t>(std::max<int64_t>(*max_results, 0));
}

bool within(const timestamp& t, const std::optional<timestamp>& from,
            const std::optional<timestamp>& to) {
  return (!from || *from <= t) && (!to || t <= *to);
}

template <class Index, class Key>
auto lower_bound(const Index& index, const Key& key) {
  return std::partition_point(index.begin(), index.end(),
                              [&](const auto& e) { return e.key < key; });
}

template <class Index, class Key>
auto upper_bound(const Index& index, const Key& key) {
  return std::partition_point(index.begin(), index.end(),
                              [&](const auto& e) { return !(key < e.key); });
}

/// Inserts after every entry with an equal key, so ties keep registration
/// order; appends in the usual case of a key not below the last one.
template <class Index, class Key>
void insert_sorted(Index& index, const Key& key, const event* stored) {
  if (index.empty() || !(key < index.back().key))
    index.push_back({key, stored});
  else
    index.insert(upper_bound(index, key), {key, stored});
}

/// Entries of `index` with keys in [from, to]; empty when from > to, where
/// lower_bound(from) would lie past upper_bound(to).
template <class Index>
auto key_range(const Index& index, const std::optional<timestamp>& from,
               const std::optional<timestamp>& to) {
  auto first = from ? lower_bound(index, *from) : index.begin();
  auto last = to ? upper_bound(index, *to) : index.end();
  if (from && to && *to < *from)
    last = first;
  return std::pair{first, last};
}

/// Walks index entries [first, last) in query order and builds the page.
template <class It, class Accept>
query_result timeseries_page(It first, It last, const Accept& accept,
                             const query_timeseries_params& params) {
  // Mirrors the reference: results up to and including last_event_id are
  // dropped, and when no result has that id all of them are (its loop ends
  // on the last index and slices past it). A client paging with an id that
  // no longer matches thus gets an empty, final page rather than a repeat.
  std::optional<event_id> skip_through = params.last_event_id;
  auto limit = page_limit(params.max_results);
  query_result result;
  for (; first != last; ++first) {
    const event& e = *first->stored;
    if (!accept(e))
      continue;
    if (skip_through) {
      if (e.id == *skip_through)
        skip_through.reset();
      continue;
    }
    if (result.events.size() == limit) {
      result.more_follows = true;
      break;
    }
    result.events.push_back(e);
  }
  return result;
}

/// A query type without wildcards matches exactly one event type, which a
/// hash lookup finds without walking every stored type.
bool all_literal(const std::vector<event_type>& query_types) {
  return std::all_of(query_types.begin(), query_types.end(),
                     [](const event_type& query_type) {
                       return !invalid_event_type_reason(query_type);
                     });
}

}  // namespace

event_id memory_backend::last_event_id(int64_t server_id) {
  auto found = by_server_.find(server_id);
  if (found == by_server_.end() || found->second.empty())
    return {server_id, 0, 0};
  return found->second.back().key;
}

event_batch memory_backend::register_events(event_batch events) {
  if (!events || events->empty())
    return events;
  batches_.push_back(events);
  for (const auto& stored : *events) {
    auto sequence = registered_++;
    auto [latest, inserted] =
      latest_.try_emplace(stored.type, newest{&stored, sequence});
    if (!inserted && natural_before(*latest->second.stored, stored))
      latest->second = newest{&stored, sequence};

    insert_sorted(by_timestamp_, stored.timestamp, &stored);
    if (stored.source_timestamp)
      insert_sorted(by_source_timestamp_, *stored.source_timestamp, &stored);
    insert_sorted(by_server_[stored.id.server], stored.id, &stored);
  }
  return events;
}

query_result memory_backend::query(const query_params& params) {
  return std::visit(
    [this](const auto& p) -> query_result {
      using params_type = std::decay_t<decltype(p)>;
      if constexpr (std::is_same_v<params_type, query_latest_params>)
        return query_latest(p);
      else if constexpr (std::is_same_v<params_type, query_timeseries_params>)
        return query_timeseries(p);
      else
        return query_server(p);
    },
    params);
}

bool memory_backend::persists_on_register() const {
  return true;
}

query_result memory_backend::query_latest(
  const query_latest_params& params) const {
  std::vector<newest> found;
  if (!params.event_types) {
    found.reserve(latest_.size());
    for (const auto& [type, entry] : latest_)
      found.push_back(entry);
  } else if (all_literal(*params.event_types)) {
    for (const auto& type : *params.event_types)
      if (auto it = latest_.find(type); it != latest_.end())
        found.push_back(it->second);
  } else {
    subscription types(*params.event_types);
    for (const auto& [type, entry] : latest_)
      if (types.matches(type))
        found.push_back(entry);
  }

  // The reference returns dict order; registration order is as good and
  // does not depend on the hash map.
  auto by_sequence = [](const newest& a, const newest& b) {
    return a.sequence < b.sequence;
  };
  std::sort(found.begin(), found.end(), by_sequence);
  found.erase(std::unique(found.begin(), found.end(),
                          [](const newest& a, const newest& b) {
                            return a.sequence == b.sequence;
                          }),
              found.end());

  query_result result;
  result.events.reserve(found.size());
  for (auto& entry : found)
    result.events.push_back(*entry.stored);
  return result;
}

query_result memory_backend::query_timeseries(
  const query_timeseries_params& params) const {
  std::optional<subscription> types;
  if (params.event_types)
    types.emplace(*params.event_types);

  bool by_source = params.order_by == order_by::source_timestamp;
  bool source_bounded = params.source_t_from || params.source_t_to;

  // The index of the ordering key bounds the scan; the other timestamp and
  // the types are checked per event. The source index only holds events
  // that have a source timestamp, which is what excludes the others (the
  // reference would compare None with a timestamp and fail).
  auto accept = [&](const event& e) {
    if (by_source) {
      if (!within(e.timestamp, params.t_from, params.t_to))
        return false;
    } else if (source_bounded &&
               (!e.source_timestamp ||
                !within(*e.source_timestamp, params.source_t_from,
                        params.source_t_to))) {
      return false;
    }
    return !types || types->matches(e.type);
  };

  const auto& index = by_source ? by_source_timestamp_ : by_timestamp_;
  auto [first, last] =
    by_source ? key_range(index, params.source_t_from, params.source_t_to)
              : key_range(index, params.t_from, params.t_to);

  // The reference sorts by (key, event) in natural order, descending by
  // reversing the comparison: ties come in registration order ascending and
  // in reverse registration order descending, which walking the index
  // backwards gives.
  if (params.order == order::ascending)
    return timeseries_page(first, last, accept, params);
  return timeseries_page(std::make_reverse_iterator(last),
                         std::make_reverse_iterator(first), accept, params);
}

query_result memory_backend::query_server(
  const query_server_params& params) const {
  // Every event here is persisted, so `params.persisted` changes nothing.
  query_result result;
  auto found = by_server_.find(params.server_id);
  if (found == by_server_.end())
    return result;
  const auto& by_id = found->second;

  // The reference keeps the last event when none is newer than
  // last_event_id (its loop ends on the last index and slices from there);
  // a synchronising server would get that event again. Only newer ids here.
  auto it = params.last_event_id ? upper_bound(by_id, *params.last_event_id)
                                 : by_id.begin();
  auto limit = page_limit(params.max_results);
  for (; it != by_id.end(); ++it) {
    if (result.events.size() == limit) {
      result.more_follows = true;
      break;
    }
    result.events.push_back(*it->stored);
  }
  return result;
}

}  // namespace hat::storage
