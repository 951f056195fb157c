#pragma once

/// The request loop of one load connection: registers events in batches
/// with response (last=false), keeping up to `window` requests in flight,
/// and reads the answers on the same thread, matching them to requests by
/// conversation.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/load/requests.hpp"
#include "bench/load/session.hpp"

namespace hat::bench {

struct register_plan {
  uint64_t events = 0;
  size_t batch = 1;
  size_t window = 1;
  /// Events/s of this connection, paced open loop; 0 sends as fast as
  /// answers allow.
  double rate = 0;
  /// Offset of this connection's send schedule, so paced connections do
  /// not all send at the same instant.
  clock::duration phase{};
};

struct register_result {
  uint64_t events = 0;
  uint64_t requests = 0;
  /// Per request: answer received minus send time, or minus the scheduled
  /// send time when paced (a late send counts against the server, so a
  /// stall is not hidden by the requests it delayed).
  std::vector<int64_t> latencies_ns;
  /// Paced only: actual minus scheduled send time, per request. Shows how
  /// much of the latency is the generator's own lateness.
  std::vector<int64_t> send_lag_ns;
  clock::time_point finished{};
};

/// Runs `plan` from `start` (the time of the first send, in the future or
/// now). Throws load_error on a refused, malformed or missing answer.
void drive_register(session& conn, target_kind kind, request_set& requests,
                    const register_plan& plan, clock::time_point start,
                    clock::time_point deadline, register_result& result);

}  // namespace hat::bench
