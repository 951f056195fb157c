#pragma once

/// The server's metrics registry: relaxed atomic counters that the parts
/// doing the work bump as they go (the store, Eventer connections and
/// their listener, sync actors, the supervisor), read by the metrics
/// listener at each scrape without asking any actor. One registry per
/// server, shared by std::shared_ptr; it costs a few atomic adds whether
/// or not a metrics_server is configured, so the parts never check.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "protocol/metrics_text.hpp"

namespace hat {

/// What one peer's sync actor counts (each sync actor of that peer in
/// turn: a restarted one goes on with the same counters).
struct peer_sync_metrics {
  std::atomic<uint64_t> events{0};
  std::atomic<int64_t> lag_microseconds{0};
  std::atomic<bool> synced{false};
};

struct server_metrics {
  std::atomic<uint64_t> events_registered{0};
  std::atomic<uint64_t> events_persisted{0};
  std::atomic<uint64_t> sessions{0};
  std::atomic<uint64_t> connections_open{0};
  std::atomic<uint64_t> connections_accepted{0};
  std::atomic<uint64_t> send_queue_bytes{0};
  std::array<std::atomic<uint64_t>, dropped_bound_count> dropped{};
  std::atomic<uint64_t> flushes{0};
  std::atomic<uint64_t> flush_nanoseconds{0};
  std::atomic<uint8_t> server_status{static_cast<uint8_t>(status::standby)};
  /// The LMDB file whose size is reported (empty: another backend). Set
  /// before the server starts, only read afterwards.
  std::filesystem::path store_file;

  void add(std::atomic<uint64_t>& counter, uint64_t n = 1) {
    counter.fetch_add(n, std::memory_order_relaxed);
  }

  void count_drop(dropped_bound bound) {
    add(dropped[static_cast<size_t>(bound)]);
  }

  void count_flush(std::chrono::steady_clock::duration took);

  void publish(status current) {
    server_status.store(static_cast<uint8_t>(current),
                        std::memory_order_relaxed);
  }

  status current_status() const {
    return static_cast<status>(server_status.load(std::memory_order_relaxed));
  }

  /// The counters of the peer `name` with `server_id`, made at its first
  /// sync actor and kept for good (a counter must not vanish).
  std::shared_ptr<peer_sync_metrics> peer(const std::string& name,
                                          int64_t server_id);

  /// The values now; the store's file size is read here (one stat).
  metrics_snapshot snapshot() const;

private:
  /// Guards `peers_`: sync actors are spawned by the supervisor while a
  /// scrape on the network thread reads the map.
  mutable std::mutex peers_mutex_;
  std::map<std::pair<std::string, int64_t>,
           std::shared_ptr<peer_sync_metrics>>
    peers_;
};

/// One Eventer connection's part of the registry: counted open while it
/// lives, its queued bytes in the shared gauge, both given back when the
/// connection's state is destroyed, however the broker ends.
class connection_metrics {
public:
  connection_metrics() = default;
  connection_metrics(const connection_metrics&) = delete;
  connection_metrics& operator=(const connection_metrics&) = delete;
  ~connection_metrics();

  /// Counts the connection accepted and open in `metrics` (once).
  void attach(std::shared_ptr<server_metrics> metrics);

  /// Records that `bytes` now wait to be sent on this connection.
  void queued(size_t bytes);

  /// Counts the connection closed by `bound` (null-safe before attach).
  void dropped(dropped_bound bound);

private:
  std::shared_ptr<server_metrics> metrics_;
  size_t queued_ = 0;
};

}  // namespace hat
