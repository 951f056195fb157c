// hat-event-lmdb-convert: converts the LMDB database file of a hat-event
// 0.6 server (format v0.6) or 0.7/0.8 server (v0.7) to the v0.9 format, as
// the reference's tool of that name does: the same arguments, messages (on
// stderr) and exit codes (0 converted, 1 anything else). The conversion,
// and where it departs from the reference, is in
// storage/lmdb/convert/convert.hpp.

#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>

#include "storage/lmdb/convert/convert.hpp"

namespace convert = hat::storage::lmdb::convert;

namespace {

/// Set by SIGINT, SIGTERM and SIGHUP: the conversion stops and removes what
/// it wrote. A second signal takes its default action (SA_RESETHAND).
std::atomic<bool> stop_requested{false};

extern "C" void request_stop(int) {
  stop_requested.store(true);
}

void install_stop_handlers() {
  struct sigaction action{};
  action.sa_handler = request_stop;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  for (int signal : {SIGINT, SIGTERM, SIGHUP})
    sigaction(signal, &action, nullptr);
}

/// `text` as Python's pathlib writes a path it was given, which is how the
/// reference names files in its messages: "." and empty components
/// dropped, a trailing '/' too, "//" kept only as the first two characters
/// (POSIX leaves their meaning open), "." for nothing. The file named stays
/// the same, so the conversion is given this text too.
std::string python_path_text(std::string_view text) {
  std::string out;
  if (text.starts_with("//") && !text.starts_with("///"))
    out = "//";
  else if (text.starts_with('/'))
    out = "/";
  size_t root = out.size();
  while (!text.empty()) {
    size_t end = text.find('/');
    auto part = text.substr(0, end);
    if (!part.empty() && part != ".") {
      if (out.size() > root)
        out += '/';
      out += part;
    }
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return out.empty() ? "." : out;
}

bool exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

/// A name taken in the directory, a dangling symbolic link included: the
/// finished file is renamed to DST without replacing anything there.
bool name_taken(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(std::filesystem::symlink_status(path, ec));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "Usage: " << argv[0] << " SRC_DB_PATH DST_DB_PATH\n";
    return 1;
  }
  auto src = python_path_text(argv[1]);
  auto dst = python_path_text(argv[2]);
  if (!exists(src)) {
    std::cerr << "invalid SRC_DB_PATH: " << src << "\n";
    return 1;
  }
  if (name_taken(dst)) {
    std::cerr << "existing DST_DB_PATH: " << dst << "\n";
    return 1;
  }
  install_stop_handlers();
  auto converted = convert::convert_database(src, dst, &stop_requested);
  if (!converted) {
    std::cerr << "conversion error: " << converted.error().message << "\n";
    return 1;
  }
  // The reference says nothing on success; it never succeeds on these.
  if (converted->v06_counts > 0)
    std::cerr << "note: read " << converted->v06_counts
              << " v0.6 ordered_count value(s) of " << src
              << " as 8-byte counts (the reference's converter reads them "
                 "as JSON text and fails)\n";
  return 0;
}
