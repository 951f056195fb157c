// hat-event-manager's TOML payload reader (config/toml_to_json.hpp) on
// arbitrary text: it gives a value that json.dumps text can be written for
// (toml_to_json refuses nan and inf itself) or throws config_error;
// anything else (another exception, a crash, a stack overflow in toml++,
// undefined behaviour) is a finding.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/server_config.hpp"
#include "config/toml_to_json.hpp"
#include "protocol/python_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  try {
    if (!hat::python_json::encode(hat::config::toml_to_json(text)))
      std::abort();
  } catch (const hat::config::config_error&) {
  }
  return 0;
}
