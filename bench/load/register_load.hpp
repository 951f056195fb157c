#pragma once

/// `hat-event-load register`: N connections register events in batches
/// with response; events/s, requests/s and latency percentiles, optionally
/// next to the same procedure against the chatter echo server.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace hat::bench {

struct register_options {
  std::string host = "127.0.0.1";
  uint16_t port = 23012;
  /// Echo server to run the identical procedure against first.
  std::optional<uint16_t> echo_port;
  size_t clients = 1;
  size_t batch = 1;
  uint64_t events = 100'000;
  size_t window = 1;
  /// Events/s over all connections, paced open loop; 0: closed loop.
  double rate = 0;
  size_t payload_bytes = 60;
  /// Bound on one run (connect to last answer).
  std::chrono::seconds timeout{60};
};

/// Prints the figures; 0 when every run completed, 1 otherwise.
int run_register_mode(const register_options& options);

}  // namespace hat::bench
