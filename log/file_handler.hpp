#pragma once

/// logging.FileHandler and logging.handlers.RotatingFileHandler: records
/// appended to a file, one line each, and with `max_bytes` and
/// `backup_count` both above zero the rotation Python does: before a
/// record whose line would bring the file to max_bytes or beyond, the file
/// becomes f.1 (f.1 becomes f.2 ..., the oldest beyond backup_count goes)
/// and a new f is started. A file that cannot be opened or written costs
/// one line on stderr and the records meant for it, nothing else.

#include <cstdint>
#include <mutex>
#include <string>

#include "log/handler.hpp"

namespace hat::log {

struct file_options {
  std::string filename;
  /// "a" appends, "w" truncates (at the first open only, as Python's).
  std::string mode = "a";
  /// Open at the first record instead of at configuration.
  bool delay = false;
  /// 0: never rotate (FileHandler).
  uint64_t max_bytes = 0;
  int backup_count = 0;
};

class file_handler : public handler {
public:
  file_handler(file_options options, int level, record_format format,
               std::vector<std::string> filters);
  ~file_handler() override;

protected:
  void emit(const record& rec) override;

private:
  bool open_locked();
  void rotate_locked();
  void report_locked(const char* what);

  file_options options_;
  std::mutex mutex_;
  /// -1: not open.
  int fd_ = -1;
  /// The open mode's first use is over: later opens append.
  bool opened_once_ = false;
  /// An error was reported and nothing has succeeded since.
  bool failing_ = false;
};

}  // namespace hat::log
