#pragma once

/// Writes a connection broker's output straight to its socket, from the
/// network thread, when CAF holds none of that connection's output.
///
/// Why: CAF 0.17 writes a broker's output on the network loop's next turn:
/// it adds write interest to epoll (epoll_ctl), waits for it (epoll_wait),
/// writes, and takes the interest away again (epoll_ctl): three system
/// calls on top of the write for every answer. A single-event round trip
/// then costs about a fifth more than it needs to. Writing at once is safe
/// only while CAF has nothing of this connection queued (else the bytes
/// would overtake CAF's): with ack_writes on, CAF reports what it still
/// holds after every write it makes (data_transferred_msg), and this keeps
/// track. What the socket does not take at once goes to CAF as before, so
/// a client that does not read is bounded exactly as before
/// (max_send_queue counts CAF's buffer).
///
/// A notification's payload (one buffer shared by every subscriber) goes
/// out with its frame head in one gathered write, without being copied
/// into each connection's buffer.

#include <caf/io/abstract_broker.hpp>
#include <caf/io/connection_handle.hpp>
#include <span>
#include <vector>

namespace hat {

class direct_output {
public:
  /// Asks CAF to report its writes on `handle`; call once, at start.
  void attach(caf::io::abstract_broker* self,
              caf::io::connection_handle handle);

  /// Sends what the broker appended to CAF's buffer of `handle`, followed
  /// by `payload` if any: straight to the socket when CAF holds nothing,
  /// without copying `payload` when the socket takes it at once; the rest
  /// (or all) through CAF, in order.
  void flush(caf::io::abstract_broker* self, caf::io::connection_handle handle,
             std::span<const char> payload = {});

  /// A data_transferred_msg: CAF still holds `remaining` bytes.
  void transferred(size_t remaining) {
    if (remaining == 0)
      caf_holds_output_ = false;
  }

private:
  /// Hands what is left in CAF's buffer to CAF.
  void through_caf(caf::io::abstract_broker* self,
                   caf::io::connection_handle handle);

  bool caf_holds_output_ = false;
};

}  // namespace hat
