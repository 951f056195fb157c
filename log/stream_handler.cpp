#include "log/stream_handler.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace hat::log {

bool passes_name_filter(std::string_view filter, std::string_view logger) {
  if (filter.empty() || filter == logger)
    return true;
  return logger.size() > filter.size() && logger.starts_with(filter)
         && logger[filter.size()] == '.';
}

bool write_all(int fd, std::string_view text, bool socket) {
  while (!text.empty()) {
    auto n = socket ? ::send(fd, text.data(), text.size(), MSG_NOSIGNAL)
                    : ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void stream_handler::emit(const record& rec) {
  auto line = format(rec);
  line += '\n';
  write_all(fd_, line);
}

}  // namespace hat::log
