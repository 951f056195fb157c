#pragma once

/// The server's metrics as plain values, and their Prometheus text
/// exposition (format 0.0.4): every name starts with hat_event_, has a
/// HELP and a TYPE line, counters end in _total, durations are seconds.
/// Pure: the actors take the snapshot, this only writes it.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/event.hpp"

namespace hat {

/// The bounds that close a client connection, as the configuration names
/// them (the label of hat_event_connections_dropped_total).
enum class dropped_bound : uint8_t {
  max_send_queue,
  max_partial_frame_memory,
  max_connections,
  ping_timeout,
};

inline constexpr size_t dropped_bound_count = 4;

/// The label value of `bound`.
const char* dropped_bound_name(dropped_bound bound);

/// What one sync actor reports of its peer.
struct peer_sync_sample {
  /// The peer's component name and server id (the labels).
  std::string name;
  int64_t server_id = 0;
  /// Events copied from the peer into our store.
  uint64_t events = 0;
  /// For the newest event copied: when it arrived here less its
  /// timestamp on the peer (the two machines' clocks are compared).
  double lag_seconds = 0;
  /// The catch-up is done and notifications arrive live.
  bool synced = false;
};

struct metrics_snapshot {
  /// Events the store accepted (registered by the engine or synchronised
  /// from a peer), and those written to disk (at once for the memory
  /// backend).
  uint64_t events_registered = 0;
  uint64_t events_persisted = 0;
  /// Sessions (batches of events) the store accepted.
  uint64_t sessions = 0;
  /// Eventer connections open now, and accepted since start.
  uint64_t connections_open = 0;
  uint64_t connections_accepted = 0;
  /// Bytes written for Eventer clients that CAF has not sent yet.
  uint64_t send_queue_bytes = 0;
  /// Connections closed by each bound, indexed by dropped_bound.
  std::array<uint64_t, dropped_bound_count> dropped{};
  /// Flushes to disk finished, and the seconds they took together.
  uint64_t flushes = 0;
  double flush_seconds = 0;
  /// Size of the LMDB file in bytes (none for other backends).
  std::optional<uint64_t> store_size_bytes;
  status server_status = status::standby;
  /// One per peer a sync actor ever ran for, in a stable order.
  std::vector<peer_sync_sample> peers;
};

/// The snapshot in Prometheus text format; the backlog (events accepted,
/// not yet persisted) is derived from the two event counters.
std::string render_prometheus(const metrics_snapshot& snapshot);

/// `text` as a Prometheus label value: backslash, double quote and line
/// feed escaped.
std::string label_value(std::string_view text);

/// The body of /health: {"status": "<status>"} and a newline.
std::string render_health(status current);

/// Whether /health answers 200: operational or standby (a standby server
/// is healthy, only not the active one).
bool healthy(status current);

}  // namespace hat
