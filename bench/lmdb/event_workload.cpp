#include "bench/lmdb/event_workload.hpp"

#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>

namespace hat::bench {
namespace {

constexpr int64_t first_second = 1'700'000'000;
/// Time between two sessions: 100 events per 100 us is 1 M events/s.
constexpr int64_t session_step_us = 100;

}  // namespace

event_workload::event_workload(uint64_t type_count, uint64_t batch_size)
  : type_count_(type_count), batch_size_(batch_size), stride_(7919) {
  if (type_count == 0 || batch_size == 0)
    throw std::invalid_argument("type count and batch size must be positive");
  while (std::gcd(stride_, type_count_) != 1)
    ++stride_;
}

event_type event_workload::type(uint64_t type) const {
  return {"plant", "unit_" + std::to_string(type / 1000),
          "point_" + std::to_string(type % 1000), "value"};
}

uint64_t event_workload::type_of(uint64_t n) const {
  return static_cast<uint64_t>(
    static_cast<unsigned __int128>(n) * stride_ % type_count_);
}

event_id event_workload::id_of(uint64_t n) const {
  return {1, static_cast<int64_t>(n / batch_size_ + 1),
          static_cast<int64_t>(n % batch_size_ + 1)};
}

hat::timestamp event_workload::timestamp_of(uint64_t n) const {
  int64_t us = static_cast<int64_t>(n / batch_size_) * session_step_us;
  return {first_second + us / 1'000'000, static_cast<int32_t>(us % 1'000'000)};
}

event event_workload::event_at(uint64_t n) const {
  event e;
  e.id = id_of(n);
  e.type = type(type_of(n));
  e.timestamp = timestamp_of(n);
  auto source = e.timestamp;
  source.us -= 1000;
  if (source.us < 0) {
    source.us += 1'000'000;
    --source.s;
  }
  e.source_timestamp = source;
  e.payload =
    payload_json{"{\"value\": " + std::to_string(n % 100'000)
                 + ".5, \"quality\": \"good\", \"cause\": \"spont\"}"};
  return e;
}

std::vector<storage::event_batch> event_workload::batches(
  uint64_t first, uint64_t count) const {
  std::vector<storage::event_batch> out;
  out.reserve((count + batch_size_ - 1) / batch_size_);
  for (uint64_t n = first; n < first + count;) {
    auto end = std::min(first + count, n + batch_size_);
    std::vector<event> batch;
    batch.reserve(end - n);
    for (; n < end; ++n)
      batch.push_back(event_at(n));
    out.push_back(
      std::make_shared<const std::vector<event>>(std::move(batch)));
  }
  return out;
}

}  // namespace hat::bench
