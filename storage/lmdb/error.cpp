#include "storage/lmdb/error.hpp"

#include <cerrno>
#include <sys/statvfs.h>
#include <utility>

namespace hat::storage::lmdb {

error::error(int code, std::string context)
  : code_(code), context_(std::move(context)) {
}

error error::stated(int code, std::string message) {
  error e(code, std::move(message));
  e.stated_ = true;
  return e;
}

std::string error::message() const {
  if (stated_)
    return context_;
  return context_ + ": " + mdb_strerror(code_);
}

error write_error(int code, std::string context, MDB_env* env) {
  const char* path = nullptr;
  if (env == nullptr || mdb_env_get_path(env, &path) != MDB_SUCCESS ||
      path == nullptr)
    return error(code, std::move(context));
  return write_error(code, std::move(context), std::filesystem::path(path));
}

error write_error(int code, std::string context,
                  const std::filesystem::path& file) {
  if (code != ENOSPC && code != EDQUOT && code != EIO)
    return error(code, std::move(context));
  const char* path = file.c_str();
  bool full = code == ENOSPC || code == EDQUOT;
  struct statvfs fs{};
  bool known = ::statvfs(path, &fs) == 0 ||
               ::statvfs(file.parent_path().empty()
                           ? "."
                           : file.parent_path().c_str(),
                         &fs) == 0;
  uint64_t free_bytes =
    known ? static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize : 0;
  if (code == EIO && known && free_bytes < disk_full_margin)
    full = true;
  if (!full)
    return error(code, std::move(context));
  std::string said = "the disk holding ";
  said += path;
  said += " is full";
  if (known)
    said += " (" + std::to_string(free_bytes) + " bytes free)";
  said += ": ";
  said += context;
  error e(code, std::move(said));
  e.disk_full_ = true;
  return e;
}

}  // namespace hat::storage::lmdb
