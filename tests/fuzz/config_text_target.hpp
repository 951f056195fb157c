#pragma once

// The server configuration loader on arbitrary text of one format, as an
// operator's file would hand it over (parse_server_config: the same parsing
// and validation as load_server_config without the file): it either gives
// a configuration or throws config_error; anything else (another
// exception, a crash, undefined behaviour) is a finding. Each format's
// target defines the libFuzzer entry points with these.

#include <cstdint>
#include <string_view>

#include "config/server_config.hpp"
#include "log/logger.hpp"

namespace hat::fuzz {

inline void quiet_config_warnings() {
  // Warnings about unknown keys would flood the output.
  hat::log::set_sink([](std::string_view) {});
}

inline void load_config_text(const uint8_t* data, size_t size,
                             hat::config::file_format format) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  try {
    auto config = hat::config::parse_server_config(text, format);
    (void)config;
  } catch (const hat::config::config_error&) {
  }
}

}  // namespace hat::fuzz
