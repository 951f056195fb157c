#include "actors/direct_output.hpp"

#include <cerrno>
#include <sys/socket.h>
#include <sys/uio.h>

namespace hat {

namespace {

/// Writes as much of `parts` as the socket takes now; 0 when it takes
/// nothing or failed (CAF then writes, and sees any failure itself).
size_t write_now(caf::io::connection_handle handle, const ::iovec* parts,
                 int count) {
  ::msghdr msg{};
  msg.msg_iov = const_cast<::iovec*>(parts);
  msg.msg_iovlen = static_cast<size_t>(count);
  ssize_t sent;
  do {
    sent = ::sendmsg(static_cast<int>(handle.id()), &msg,
                     MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  return sent > 0 ? static_cast<size_t>(sent) : 0;
}

}  // namespace

void direct_output::attach(caf::io::abstract_broker* self,
                           caf::io::connection_handle handle) {
  self->ack_writes(handle, true);
}

void direct_output::through_caf(caf::io::abstract_broker* self,
                                caf::io::connection_handle handle) {
  if (self->wr_buf(handle).empty())
    return;
  caf_holds_output_ = true;
  self->flush(handle);
}

void direct_output::flush(caf::io::abstract_broker* self,
                          caf::io::connection_handle handle,
                          std::span<const char> payload) {
  if (!self->valid(handle))
    return;
  auto& buf = self->wr_buf(handle);
  size_t sent = 0;
  if (!caf_holds_output_ && (!buf.empty() || !payload.empty())) {
    ::iovec parts[2] = {{buf.data(), buf.size()},
                        {const_cast<char*>(payload.data()), payload.size()}};
    sent = write_now(handle, parts, payload.empty() ? 1 : 2);
  }
  // What the socket did not take goes to CAF, in order.
  auto from_buf = std::min(sent, buf.size());
  buf.erase(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(from_buf));
  auto from_payload = sent - from_buf;
  buf.insert(buf.end(), payload.begin() + static_cast<ptrdiff_t>(from_payload),
             payload.end());
  through_caf(self, handle);
}

}  // namespace hat
