#pragma once

/// One broker per metrics_server client: reads one HTTP request head
/// (http::request_reader, bounded), answers it from the server's metrics
/// registry (GET or HEAD of /metrics, Prometheus text; /health, the
/// status as JSON, 200 when operational or standby, 503 otherwise; 404,
/// 405, 400 or 431 for anything else) and closes once the answer went
/// out. Nothing is asked of other actors: the registry's counters are
/// read as they are.
///
/// Messages it handles besides the network's:
///   (atom::tick)   from the listener: close a client that has not sent
///                  its request within request_timeout
///   (atom::flush)  internal: answered, check whether the output drained

#include <caf/io/broker.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "actors/server_metrics.hpp"
#include "protocol/http_request.hpp"

namespace hat {

struct metrics_settings {
  /// What /metrics and /health report.
  std::shared_ptr<const server_metrics> metrics;
  /// How long a client has to send its request head.
  std::chrono::milliseconds request_timeout{10'000};
  /// How long an answer has to go out before the socket is reset.
  std::chrono::milliseconds answer_timeout{10'000};
};

struct metrics_connection_state {
  http::request_reader reader;
  caf::io::connection_handle handle;
  int64_t conn_id = 0;
  metrics_settings settings;
  /// The request must be complete by then.
  std::chrono::steady_clock::time_point request_deadline;
  /// Set once answered: the answer goes out until then, then closed.
  std::optional<std::chrono::steady_clock::time_point> close_deadline;
  /// When the answer was handed to CAF.
  std::chrono::steady_clock::time_point last_flush{};
  /// The connection is closed: nothing more is read or written.
  bool closed = false;

  static inline const char* name = "metrics_connection";
};

using metrics_connection_pointer =
  caf::io::stateful_broker<metrics_connection_state>*;

caf::behavior metrics_connection(metrics_connection_pointer self,
                                 caf::io::connection_handle handle,
                                 int64_t conn_id, metrics_settings settings);

}  // namespace hat
