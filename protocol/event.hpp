#pragma once

/// The event model of hat-event 0.9: what the server registers, stores,
/// queries and notifies. Plain values, no behaviour beyond ordering.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace hat {

/// Seconds since 1970-01-01 UTC (may be negative) plus microseconds,
/// normally in [0, 1e6). Ordered lexicographically by (s, us). Clients may
/// send microseconds of 1e6 and more in a source timestamp: the reference
/// stores them as sent, so do we (see register_validation.hpp for bounds).
struct timestamp {
  int64_t s = 0;
  int64_t us = 0;
  auto operator<=>(const timestamp&) const = default;
};

/// Smallest and largest timestamps the LMDB key encoding can hold.
inline constexpr timestamp min_timestamp{INT64_MIN, 0};
inline constexpr timestamp max_timestamp{INT64_MAX, 999'999};

/// (server, session, instance). Sessions start at 1 per server, instances at
/// 1 per session; 0 means "none yet".
struct event_id {
  int64_t server = 0;
  int64_t session = 0;
  int64_t instance = 0;
  auto operator<=>(const event_id&) const = default;
};

/// A list of segments, e.g. {"gateway", "device", "data"}. Query types may
/// use the wildcards "?" and "*" (see event_type.hpp).
using event_type = std::vector<std::string>;

/// Opaque bytes with a type name chosen by the producer.
struct payload_binary {
  std::string type;
  std::string data;  ///< raw bytes, not text
  bool operator==(const payload_binary&) const = default;
};

/// JSON text, kept as received: the server never interprets payloads except
/// in LMDB conditions and in modules.
struct payload_json {
  std::string text;
  bool operator==(const payload_json&) const = default;
};

using event_payload = std::variant<payload_binary, payload_json>;

struct event {
  event_id id;
  event_type type;
  hat::timestamp timestamp;
  std::optional<hat::timestamp> source_timestamp;
  std::optional<event_payload> payload;
  bool operator==(const event&) const = default;
};

/// What a client asks to register; the server adds id and timestamp.
struct register_event {
  event_type type;
  std::optional<hat::timestamp> source_timestamp;
  std::optional<event_payload> payload;
  bool operator==(const register_event&) const = default;
};

/// Who registers a session (the reference's common.Source).
struct event_source {
  enum class kind : uint8_t { eventer = 1, module = 2, engine = 3, server = 4 };
  kind type = kind::engine;
  /// Eventer: the connection id; module: its index in the configuration.
  int64_t id = 0;
  bool operator==(const event_source&) const = default;
};

/// Server status as the current dialect knows it; the v0.9.0 dialect only
/// has standby and operational (see eventer_codec.hpp for the mapping).
enum class status : uint8_t { standby, starting, operational, stopping };

/// The status in lower-case words, as logs and the CLI write it.
constexpr const char* status_name(status s) {
  switch (s) {
    case status::standby:
      return "standby";
    case status::starting:
      return "starting";
    case status::operational:
      return "operational";
    case status::stopping:
      return "stopping";
  }
  return "unknown";
}

enum class order : uint8_t { descending, ascending };

enum class order_by : uint8_t { timestamp, source_timestamp };

/// Newest event of every type matching `event_types` (all types if absent).
struct query_latest_params {
  std::optional<std::vector<event_type>> event_types;
  bool operator==(const query_latest_params&) const = default;
};

/// Events in a time range, ordered by timestamp or source timestamp.
struct query_timeseries_params {
  std::optional<std::vector<event_type>> event_types;
  std::optional<timestamp> t_from;
  std::optional<timestamp> t_to;
  std::optional<timestamp> source_t_from;
  std::optional<timestamp> source_t_to;
  hat::order order = order::descending;
  hat::order_by order_by = order_by::timestamp;
  std::optional<int64_t> max_results;
  std::optional<event_id> last_event_id;
  bool operator==(const query_timeseries_params&) const = default;
};

/// Events of one server in event-id order, used by synchronising servers.
struct query_server_params {
  int64_t server_id = 0;
  bool persisted = false;
  std::optional<int64_t> max_results;
  std::optional<event_id> last_event_id;
  bool operator==(const query_server_params&) const = default;
};

using query_params = std::variant<query_latest_params, query_timeseries_params,
                                  query_server_params>;

struct query_result {
  std::vector<event> events;
  bool more_follows = false;
  bool operator==(const query_result&) const = default;
};

/// Natural order, assuming `a` was registered before `b`: events of the same
/// server by id, otherwise by timestamp, ties keep registration order.
/// Inline: this header is installed for modules, which link nothing of ours.
inline bool natural_before(const event& a, const event& b) {
  if (a.id == b.id)
    return false;
  if (a.id.server == b.id.server)
    return a.id < b.id;
  if (a.timestamp != b.timestamp)
    return a.timestamp < b.timestamp;
  return true;
}

}  // namespace hat
