#include "log/file_handler.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "log/stream_handler.hpp"

namespace hat::log {

namespace {

bool exists(const std::string& path) {
  struct stat st{};
  return ::stat(path.c_str(), &st) == 0;
}

/// Python's len() of the line: code points, not bytes.
uint64_t python_length(std::string_view text) {
  uint64_t n = 0;
  for (unsigned char c : text)
    n += (c & 0xc0) != 0x80;
  return n;
}

}  // namespace

file_handler::file_handler(file_options options, int level,
                           record_format format,
                           std::vector<std::string> filters)
  : handler(level, std::move(format), std::move(filters)),
    options_(std::move(options)) {
  // Python's RotatingFileHandler appends whenever it may rotate.
  if (options_.max_bytes > 0)
    options_.mode.assign(1, 'a');
  if (!options_.delay) {
    std::lock_guard guard{mutex_};
    open_locked();
  }
}

file_handler::~file_handler() {
  if (fd_ >= 0)
    ::close(fd_);
}

void file_handler::report_locked(const char* what) {
  if (failing_)
    return;
  failing_ = true;
  std::string line = "logging: file handler ";
  line += options_.filename;
  line += ": ";
  line += what;
  line += ": ";
  line += std::strerror(errno);
  line += "; its records are dropped\n";
  write_all(STDERR_FILENO, line);
}

bool file_handler::open_locked() {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC;
  flags |= (options_.mode.starts_with("w") && !opened_once_) ? O_TRUNC
                                                              : O_APPEND;
  fd_ = ::open(options_.filename.c_str(), flags, 0666);
  if (fd_ < 0) {
    report_locked("cannot open");
    return false;
  }
  opened_once_ = true;
  return true;
}

void file_handler::rotate_locked() {
  ::close(fd_);
  fd_ = -1;
  const auto& base = options_.filename;
  auto backup = [&](int i) {
    std::string name = base;
    name += '.';
    name += std::to_string(i);
    return name;
  };
  if (options_.backup_count > 0) {
    for (int i = options_.backup_count - 1; i > 0; --i) {
      auto from = backup(i);
      auto to = backup(i + 1);
      if (exists(from)) {
        if (exists(to))
          std::remove(to.c_str());
        std::rename(from.c_str(), to.c_str());
      }
    }
    auto first = backup(1);
    if (exists(first))
      std::remove(first.c_str());
    if (exists(base) && std::rename(base.c_str(), first.c_str()) != 0)
      report_locked("cannot rotate");
  }
  if (!options_.delay)
    open_locked();
}

void file_handler::emit(const record& rec) {
  auto line = format(rec);
  line += '\n';
  std::lock_guard guard{mutex_};
  if (fd_ < 0 && !open_locked())
    return;
  if (options_.max_bytes > 0) {
    struct stat st{};
    bool regular = ::stat(options_.filename.c_str(), &st) != 0
                   || S_ISREG(st.st_mode);
    off_t size = ::lseek(fd_, 0, SEEK_END);
    if (regular && size >= 0
        && static_cast<uint64_t>(size) + python_length(line)
             >= options_.max_bytes) {
      rotate_locked();
      if (fd_ < 0 && !open_locked())
        return;
    }
  }
  if (!write_all(fd_, line)) {
    report_locked("cannot write");
    return;
  }
  failing_ = false;
}

}  // namespace hat::log
