#pragma once

/// `hat-event-load notify`: M subscribers of every event, then one producer
/// registering events; delivered events/s and whether any were lost.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace hat::bench {

struct notify_options {
  std::string host = "127.0.0.1";
  uint16_t port = 23012;
  size_t subscribers = 100;
  size_t batch = 100;
  uint64_t events = 20'000;
  size_t window = 4;
  size_t payload_bytes = 60;
  /// Bound on the wait for every subscriber to receive every event.
  std::chrono::seconds timeout{60};
};

/// Prints the figures; 0 when every subscriber got every event in order.
int run_notify_mode(const notify_options& options);

}  // namespace hat::bench
