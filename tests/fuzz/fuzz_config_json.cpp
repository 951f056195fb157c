// The server configuration loader on arbitrary JSON text, as an operator's
// file would hand it over (parse_server_config: the same parsing and
// validation as load_server_config without the file): it either gives a
// configuration or throws config_error; anything else (another exception,
// a crash, undefined behaviour) is a finding.

#include <cstdint>
#include <string_view>

#include "config/server_config.hpp"
#include "log/logger.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Warnings about unknown keys would flood the output.
  hat::log::set_sink([](std::string_view) {});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  try {
    auto config =
      hat::config::parse_server_config(text, hat::config::file_format::json);
    (void)config;
  } catch (const hat::config::config_error&) {
  }
  return 0;
}
