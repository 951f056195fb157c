#pragma once

/// The end of a client connection's socket, shared by the connection
/// brokers. CAF 0.17 keeps a closed socket open, after the broker ended,
/// until its output drained, for good when the client does not read; a
/// socket with output pending is therefore reset instead.

#include <caf/io/broker.hpp>
#include <chrono>

namespace hat {

/// Bytes the kernel holds that the peer has not acknowledged yet.
int kernel_unsent(caf::io::connection_handle handle);

/// Something is still waiting to reach the peer.
bool output_pending(caf::io::abstract_broker* self,
                    caf::io::connection_handle handle);

/// Closes the socket; resets it (buffers freed, the peer told at once)
/// when `reset` is set or output is seen pending. output_pending() cannot
/// see what a flush in this same turn handed to CAF's own write buffer, so
/// connections closed for an error always reset.
void close_socket(caf::io::abstract_broker* self,
                  caf::io::connection_handle handle, bool reset);

/// How long after a flush output_pending() can be trusted: what a flush
/// handed to CAF's own write buffer is invisible to it until the network
/// loop wrote it. (Closed gracefully at once, CAF kept such a socket at
/// exit, which LeakSanitizer reported.)
inline constexpr auto drain_settle = std::chrono::milliseconds{20};

enum class output_drain { drained, waiting, overdue };

/// Whether what was written to `handle` has gone out (nothing pending,
/// drain_settle after the last flush), may still go (ask again
/// drain_settle later), or did not before `deadline`.
output_drain drain_of(caf::io::abstract_broker* self,
                      caf::io::connection_handle handle,
                      std::chrono::steady_clock::time_point last_flush,
                      std::chrono::steady_clock::time_point deadline);

}  // namespace hat
