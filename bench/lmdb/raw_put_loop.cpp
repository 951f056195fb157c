#include "bench/lmdb/raw_put_loop.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "storage/lmdb/environment.hpp"
#include "storage/lmdb/format.hpp"
#include "storage/lmdb/json_values.hpp"

namespace hat::bench {
namespace {

namespace lmdb = storage::lmdb;
namespace fmt = storage::lmdb::format;
using fmt::db_type;

/// The id the backend gives the first partition of a new file.
constexpr uint64_t partition_id = 1;

template <class T>
T check(lmdb::result<T> r) {
  if (!r)
    throw std::runtime_error("raw put loop: " + r.error().message());
  return std::move(r).value();
}

void check(lmdb::result<void> r) {
  if (!r)
    throw std::runtime_error("raw put loop: " + r.error().message());
}

/// One LMDB call of a chunk, encoded ahead.
struct raw_call {
  db_type db;
  std::string key;
  std::string value;
  /// Get the key before putting, as the backend does for REF entries and
  /// partition counts.
  bool get_first = false;
};

template <size_t N>
std::string text(const fmt::bytes<N>& b) {
  return std::string(fmt::view(b));
}

std::string text(const std::vector<char>& v) {
  return {v.data(), v.size()};
}

fmt::timeseries_event_ref series_ref(const event& e) {
  return {{partition_id, e.timestamp, e.id}};
}

std::vector<raw_call> timeseries_calls(const event_workload& workload,
                                       uint64_t first, uint64_t end) {
  std::vector<raw_call> calls;
  calls.reserve(end - first);
  for (uint64_t n = first; n < end; ++n) {
    auto e = workload.event_at(n);
    calls.push_back({db_type::timeseries_data,
                     text(fmt::encode_timeseries_key(
                       {partition_id, e.timestamp, e.id})),
                     text(fmt::encode_event(e))});
  }
  return calls;
}

/// What storage/lmdb/write_changes.cpp does for this workload, in its
/// order. The backend numbers types by first appearance, and event n < T
/// is the first of its type, so event n's type ref is n % T + 1; each type
/// recurs every T events.
std::vector<raw_call> flush_calls(const event_workload& workload,
                                  uint64_t first, uint64_t end) {
  auto types = workload.type_count();
  std::vector<raw_call> calls;
  calls.reserve(3 * (end - first));
  auto last = workload.event_at(end - 1);
  calls.push_back({db_type::system_last_event_id, text(fmt::encode_uint(1)),
                   text(fmt::encode_event_id(last.id))});
  calls.push_back({db_type::system_last_timestamp, text(fmt::encode_uint(1)),
                   text(fmt::encode_timestamp(last.timestamp))});

  // LATEST_DATA: the chunk's last event of every type, by type ref.
  std::vector<uint64_t> latest;
  for (uint64_t n = std::max(first, end > types ? end - types : 0); n < end;
       ++n)
    latest.push_back(n);
  std::sort(latest.begin(), latest.end(), [&](uint64_t a, uint64_t b) {
    return a % types < b % types;
  });
  for (auto n : latest)
    calls.push_back({db_type::latest_data,
                     text(fmt::encode_uint(n % types + 1)),
                     text(fmt::encode_event(workload.event_at(n)))});
  for (uint64_t n = first; n < std::min(end, types); ++n)
    calls.push_back(
      {db_type::latest_type, text(fmt::encode_uint(n + 1)),
       fmt::encode_event_type(workload.type(workload.type_of(n)))});

  for (uint64_t n = first; n < end; ++n) {
    auto e = workload.event_at(n);
    calls.push_back({db_type::timeseries_data,
                     text(fmt::encode_timeseries_key(
                       {partition_id, e.timestamp, e.id})),
                     text(fmt::encode_event(e))});
  }
  calls.push_back({db_type::timeseries_count,
                   text(fmt::encode_uint(partition_id)),
                   text(fmt::encode_uint(end)), true});

  // REF in id order: first the previous latest events on disk, which lose
  // their latest ref, then this chunk's events; an event replaced within
  // the chunk keeps only its time-series ref.
  for (uint64_t n = first; n < std::min(end, first + types); ++n) {
    if (n < types)
      continue;
    auto previous = workload.event_at(n - types);
    std::vector<fmt::event_ref> refs{series_ref(previous)};
    calls.push_back({db_type::ref, text(fmt::encode_event_id(previous.id)),
                     fmt::encode_event_refs(refs), true});
  }
  for (uint64_t n = first; n < end; ++n) {
    auto e = workload.event_at(n);
    std::vector<fmt::event_ref> refs;
    if (n + types >= end)
      refs.push_back(fmt::latest_event_ref{n % types + 1});
    refs.push_back(series_ref(e));
    calls.push_back({db_type::ref, text(fmt::encode_event_id(e.id)),
                     fmt::encode_event_refs(refs), true});
  }
  return calls;
}

}  // namespace

raw_put_figures run_raw_put_loop(
  const std::filesystem::path& path, raw_put_set set,
  const event_workload& workload, uint64_t events, uint64_t chunk,
  const std::function<void(uint64_t)>& progress) {
  auto env = check(lmdb::environment::open(path));
  std::vector<lmdb::dbi> dbs;
  for (auto type : fmt::all_db_types)
    dbs.push_back(check(env.open_db(fmt::db_name(type), true)));

  raw_put_figures figures;
  std::vector<double> commits;
  for (uint64_t first = 0; first < events; first += chunk) {
    auto end = std::min(events, first + chunk);
    auto calls = set == raw_put_set::timeseries
                   ? timeseries_calls(workload, first, end)
                   : flush_calls(workload, first, end);

    auto start = bench_clock::now();
    auto txn = check(env.begin_write());
    for (const auto& call : calls) {
      auto db = dbs[static_cast<size_t>(call.db)];
      if (call.get_first) {
        check(txn.get(db, call.key));
        ++figures.calls;
      }
      check(txn.put(db, call.key, call.value));
      ++figures.calls;
    }
    auto commit_start = bench_clock::now();
    check(txn.commit());
    commits.push_back(seconds_since(commit_start));
    figures.seconds += seconds_since(start);
    figures.events = end;
    progress(end);
  }
  figures.commit = summarize(std::move(commits));
  figures.file_bytes = std::filesystem::file_size(path);
  return figures;
}

}  // namespace hat::bench
