#pragma once

/// `hat-event-load stall`: does a slow handler stall anyone else? One
/// client measures closed-loop round trips (small queries, or single-event
/// registrations) for a quiet phase and then for a phase in which a second
/// client keeps a slow request in the server (a `slow/x` registration that
/// a slow module holds, or a query returning many events), one after
/// another. Prints the round-trip percentiles of both phases and the
/// median duration of the slow requests.

#include <chrono>
#include <cstdint>
#include <string>

namespace hat::bench {

enum class stall_kind { module, query };
enum class measured_request { query, register_ };

struct stall_options {
  std::string host = "127.0.0.1";
  uint16_t port = 23012;
  stall_kind kind = stall_kind::module;
  measured_request measure = measured_request::query;
  /// Events registered first (batches of 1000), for the query to return.
  uint64_t fill = 0;
  /// Length of each phase.
  std::chrono::seconds phase{3};
};

/// 0 when both phases completed, 1 otherwise.
int run_stall_mode(const stall_options& options);

}  // namespace hat::bench
