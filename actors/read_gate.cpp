#include "actors/read_gate.hpp"

#include <caf/actor_cast.hpp>
#include <caf/io/network/multiplexer.hpp>
#include <caf/send.hpp>

#include "actors/atoms.hpp"

namespace hat {

void read_gate::halt(caf::io::abstract_broker* self,
                     caf::io::connection_handle handle) {
  // Resuming: CAF is not reading yet, so nothing to tell it.
  if (state_ == state::reading && self->valid(handle))
    self->halt(handle);
  state_ = state::halted;
}

void read_gate::resume(caf::io::abstract_broker* self) {
  if (state_ != state::halted)
    return;
  state_ = state::resuming;
  // post() runs the function after this turn's epoll changes are applied
  // (on the next turn); the message it sends arrives on the turn after.
  self->backend().post([broker = caf::actor_cast<caf::actor>(self)] {
    caf::anon_send(broker, atom::read_on::value);
  });
}

void read_gate::on_read_on(caf::io::abstract_broker* self,
                           caf::io::connection_handle handle) {
  if (state_ != state::resuming)
    return;
  state_ = state::reading;
  if (self->valid(handle))
    self->trigger(handle);
}

}  // namespace hat
