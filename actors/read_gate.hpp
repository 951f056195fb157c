#pragma once

/// Halts and resumes reading from a broker's connection, working around a
/// CAF 0.17 flaw: halt() takes the socket out of epoll only at the end of
/// the network loop's turn, and a trigger() made in the same turn finds
/// the socket still registered, does nothing, and is lost; the socket is
/// then never read again. (A trigger followed by a halt in one turn nets
/// to nothing in epoll but leaves CAF believing the socket is read, with
/// the same end.) That happens whenever a halt and the answer that
/// resumes reading reach the broker in one turn, e.g. a socket read and a
/// message from another thread through the loop's pipe.
///
/// So a resumption is made on a later turn: the gate has the multiplexer
/// run a function after this turn, which sends the broker
///   (atom::read_on)
/// and the broker hands that to on_read_on(). A halt in between wins.

#include <caf/io/broker.hpp>
#include <caf/io/connection_handle.hpp>

namespace hat {

class read_gate {
public:
  /// Stops reading from `handle` (now, or cancels a pending resumption).
  void halt(caf::io::abstract_broker* self, caf::io::connection_handle handle);

  /// Reading resumes on a later turn of the network loop (unless halted
  /// again first); nothing when it was not halted.
  void resume(caf::io::abstract_broker* self);

  /// The broker's (atom::read_on).
  void on_read_on(caf::io::abstract_broker* self,
                  caf::io::connection_handle handle);

  /// Reading is halted or its resumption is pending.
  bool halted() const {
    return state_ != state::reading;
  }

private:
  enum class state { reading, halted, resuming };
  state state_ = state::reading;
};

}  // namespace hat
