#pragma once

/// logging.StreamHandler on sys.stdout or sys.stderr: each record as one
/// line, written with a single write(2) so lines from different threads
/// never interleave.

#include "log/handler.hpp"

namespace hat::log {

class stream_handler : public handler {
public:
  /// `fd`: STDOUT_FILENO or STDERR_FILENO.
  stream_handler(int fd, int level, record_format format,
                 std::vector<std::string> filters)
    : handler(level, std::move(format), std::move(filters)), fd_(fd) {
  }

protected:
  void emit(const record& rec) override;

private:
  int fd_;
};

/// Writes `text` whole to `fd` (retrying short writes and EINTR); false
/// when the descriptor refuses it. A socket is written with send() and
/// MSG_NOSIGNAL: a peer gone is an error, not SIGPIPE.
bool write_all(int fd, std::string_view text, bool socket = false);

}  // namespace hat::log
