#include "actors/connection_socket.hpp"

#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

namespace hat {

int kernel_unsent(caf::io::connection_handle handle) {
  int bytes = 0;
  auto fd = static_cast<int>(handle.id());
  if (::ioctl(fd, SIOCOUTQ, &bytes) != 0)
    return 0;
  return bytes;
}

bool output_pending(caf::io::abstract_broker* self,
                    caf::io::connection_handle handle) {
  if (!self->valid(handle))
    return false;
  return !self->wr_buf(handle).empty() || kernel_unsent(handle) > 0;
}

void close_socket(caf::io::abstract_broker* self,
                  caf::io::connection_handle handle, bool reset) {
  if (!self->valid(handle))
    return;
  if (reset || output_pending(self, handle)) {
    auto fd = static_cast<int>(handle.id());
    ::linger lingering{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lingering, sizeof lingering);
    // Makes the multiplexer see the socket as failed: it stops writing
    // and closes it (with the linger above: a reset, nothing kept).
    ::shutdown(fd, SHUT_RDWR);
    auto& out = self->wr_buf(handle);
    out.clear();
    out.shrink_to_fit();
  }
  self->close(handle);
}

output_drain drain_of(caf::io::abstract_broker* self,
                      caf::io::connection_handle handle,
                      std::chrono::steady_clock::time_point last_flush,
                      std::chrono::steady_clock::time_point deadline) {
  auto now = std::chrono::steady_clock::now();
  if (!output_pending(self, handle) && now - last_flush >= drain_settle)
    return output_drain::drained;
  return now >= deadline ? output_drain::overdue : output_drain::waiting;
}

}  // namespace hat
