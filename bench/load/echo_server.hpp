#pragma once

/// `hat-event-load echo-server`: the protocol ceiling. Every chatter frame
/// received is sent back unchanged, so a client's request is answered by a
/// frame of exactly its size after the same framing work a server does and
/// no server logic at all.

#include <chrono>
#include <cstdint>
#include <string>

namespace hat::bench {

struct echo_options {
  std::string host = "127.0.0.1";
  uint16_t port = 23013;
  /// Exit after this long; zero runs until killed.
  std::chrono::seconds lifetime{0};
};

/// Serves until `lifetime` passes; non-zero when it cannot listen.
int run_echo_server(const echo_options& options);

}  // namespace hat::bench
