#pragma once

// A logging configuration (JSON text) writing "LEVEL NAME: MESSAGE" lines
// to one file, for tests that read what a server logs from that file: the
// adminer's logger (hat.event.adminer) at `adminer_level`, the others as
// the root's INFO lets them.

#include <filesystem>
#include <string>
#include <string_view>

namespace hat::test {

inline std::string file_log_config(const std::filesystem::path& file,
                                   std::string_view adminer_level) {
  return R"({"version": 1,
    "formatters": {"f": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "handlers": {"file": {"class": "logging.FileHandler", "filename": ")"
         + file.string() + R"(", "formatter": "f"}},
    "loggers": {"hat.event.adminer": {"level": ")"
         + std::string{adminer_level} + R"("}},
    "root": {"level": "INFO", "handlers": ["file"]},
    "disable_existing_loggers": false})";
}

}  // namespace hat::test
