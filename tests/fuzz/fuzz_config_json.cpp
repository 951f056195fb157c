// The server configuration loader on arbitrary JSON text
// (config_text_target.hpp).

#include "tests/fuzz/config_text_target.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  hat::fuzz::quiet_config_warnings();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  hat::fuzz::load_config_text(data, size, hat::config::file_format::json);
  return 0;
}
