#include "storage/lmdb/convert/destination_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <string>
#include <system_error>
#include <unistd.h>
#include <utility>

namespace hat::storage::lmdb::convert {

namespace {

std::string random_suffix() {
  static constexpr char digits[] = "0123456789abcdef";
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 8; ++i)
    out += digits[rd() & 0xf];
  return out;
}

conversion_error errno_error(const std::filesystem::path& path, int code) {
  return conversion_error{path.string() + ": " + std::strerror(code)};
}

/// Renames `from` to `to` unless `to` exists: renameat2(RENAME_NOREPLACE),
/// or where the file system lacks it a hard link and an unlink. 0 or an
/// errno code (EEXIST when `to` exists).
int rename_no_replace(const std::filesystem::path& from,
                      const std::filesystem::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(),
                  RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL && errno != ENOSYS)
    return errno;
  if (::link(from.c_str(), to.c_str()) != 0)
    return errno;
  // Should this fail, the finished file merely keeps a second name.
  ::unlink(from.c_str());
  return 0;
}

}  // namespace

conversion_result<destination_file> destination_file::create(
  const std::filesystem::path& dst) {
  for (;;) {
    auto path = dst;
    path += ".converting-" + random_suffix();
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                    0644);
    if (fd >= 0) {
      ::close(fd);
      return destination_file(std::move(path), dst);
    }
    if (errno != EEXIST)
      return errno_error(dst, errno);
  }
}

destination_file::destination_file(destination_file&& other) noexcept
  : path_(std::move(other.path_)),
    dst_(std::move(other.dst_)),
    done_(std::exchange(other.done_, true)) {
}

destination_file::~destination_file() {
  if (done_)
    return;
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
  // Not created with MDB_NOLOCK, but removed should it ever be.
  std::filesystem::remove(path_.string() + "-lock", ignored);
}

conversion_result<void> destination_file::publish() {
  int code = rename_no_replace(path_, dst_);
  if (code == EEXIST)
    return conversion_error{dst_.string() +
                            " appeared during the conversion; left as it was"};
  if (code != 0)
    return errno_error(dst_, code);
  done_ = true;
  auto dir = dst_.parent_path();
  int fd = ::open(dir.empty() ? "." : dir.c_str(),
                  O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    // The data is synced by LMDB's commit; this makes the new name durable.
    // A failure leaves a complete file whose name may not survive a crash:
    // not worth failing a finished conversion for.
    ::fsync(fd);
    ::close(fd);
  }
  return {};
}

}  // namespace hat::storage::lmdb::convert
