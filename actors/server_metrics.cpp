#include "actors/server_metrics.hpp"

#include <system_error>

namespace hat {

void server_metrics::count_flush(std::chrono::steady_clock::duration took) {
  add(flushes);
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(took);
  add(flush_nanoseconds, static_cast<uint64_t>(ns.count()));
}

metrics_snapshot server_metrics::snapshot() const {
  auto get = [](const std::atomic<uint64_t>& counter) {
    return counter.load(std::memory_order_relaxed);
  };
  metrics_snapshot s;
  // Persisted before registered: the backlog derived from them never
  // counts an event persisted that was not yet seen registered.
  s.events_persisted = get(events_persisted);
  s.events_registered = get(events_registered);
  s.sessions = get(sessions);
  s.connections_open = get(connections_open);
  s.connections_accepted = get(connections_accepted);
  s.send_queue_bytes = get(send_queue_bytes);
  for (size_t i = 0; i < dropped_bound_count; ++i)
    s.dropped[i] = get(dropped[i]);
  s.flushes = get(flushes);
  s.flush_seconds = static_cast<double>(get(flush_nanoseconds)) / 1e9;
  s.server_status = current_status();
  {
    std::lock_guard<std::mutex> guard{peers_mutex_};
    for (auto& [key, counted] : peers_)
      s.peers.push_back(peer_sync_sample{
        .name = key.first,
        .server_id = key.second,
        .events = counted->events.load(std::memory_order_relaxed),
        .lag_seconds = static_cast<double>(counted->lag_microseconds.load(
                         std::memory_order_relaxed))
                       / 1e6,
        .synced = counted->synced.load(std::memory_order_relaxed),
      });
  }
  if (!store_file.empty()) {
    std::error_code error;
    auto size = std::filesystem::file_size(store_file, error);
    if (!error)
      s.store_size_bytes = size;
  }
  return s;
}

std::shared_ptr<peer_sync_metrics>
server_metrics::peer(const std::string& name, int64_t server_id) {
  std::lock_guard<std::mutex> guard{peers_mutex_};
  auto& entry = peers_[{name, server_id}];
  if (!entry)
    entry = std::make_shared<peer_sync_metrics>();
  return entry;
}

connection_metrics::~connection_metrics() {
  if (!metrics_)
    return;
  queued(0);
  metrics_->connections_open.fetch_sub(1, std::memory_order_relaxed);
}

void connection_metrics::attach(std::shared_ptr<server_metrics> metrics) {
  metrics_ = std::move(metrics);
  if (!metrics_)
    return;
  metrics_->add(metrics_->connections_accepted);
  metrics_->add(metrics_->connections_open);
}

void connection_metrics::queued(size_t bytes) {
  if (!metrics_ || bytes == queued_)
    return;
  // Unsigned wrap-around makes the difference right either way.
  metrics_->send_queue_bytes.fetch_add(
    static_cast<uint64_t>(bytes) - static_cast<uint64_t>(queued_),
    std::memory_order_relaxed);
  queued_ = bytes;
}

void connection_metrics::dropped(dropped_bound bound) {
  if (metrics_)
    metrics_->count_drop(bound);
}

}  // namespace hat
