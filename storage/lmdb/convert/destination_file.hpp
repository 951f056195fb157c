#pragma once

/// Where a conversion writes: a new file beside the destination, which
/// becomes the destination only once complete, so that a failed or
/// interrupted conversion never leaves a half-written destination. (The
/// reference writes the destination in place and leaves `<dst>.v07` and
/// lock files behind when it fails.)

#include <filesystem>

#include "storage/lmdb/convert/conversion_error.hpp"

namespace hat::storage::lmdb::convert {

class destination_file {
public:
  /// Creates an empty file `<dst>.converting-<random>` in the directory of
  /// `dst` (so that the final rename stays on one file system), with the
  /// permissions of a new file (0644 before the umask).
  static conversion_result<destination_file> create(
    const std::filesystem::path& dst);

  destination_file(destination_file&& other) noexcept;
  destination_file& operator=(destination_file&&) = delete;
  destination_file(const destination_file&) = delete;
  destination_file& operator=(const destination_file&) = delete;

  /// Removes the file unless published.
  ~destination_file();

  /// The file to write (with MDB_NOLOCK: nobody else opens it).
  const std::filesystem::path& path() const {
    return path_;
  }

  /// Renames the file to the destination, never replacing a file that
  /// appeared there meanwhile, then syncs the directory so that the name
  /// survives a crash. Call once the file is written and closed.
  conversion_result<void> publish();

private:
  destination_file(std::filesystem::path path, std::filesystem::path dst)
    : path_(std::move(path)), dst_(std::move(dst)) {
  }

  std::filesystem::path path_;
  std::filesystem::path dst_;
  /// Published or moved from: nothing to remove.
  bool done_ = false;
};

}  // namespace hat::storage::lmdb::convert
