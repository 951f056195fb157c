#pragma once

// A fresh directory for one test's files (LMDB databases, configurations),
// removed with everything in it when the test ends.

#include <filesystem>
#include <random>
#include <string>
#include <system_error>

namespace hat::test {

struct temp_dir {
  std::filesystem::path path;

  temp_dir() {
    std::random_device rd;
    path = std::filesystem::temp_directory_path() /
           ("hat-test-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace hat::test
