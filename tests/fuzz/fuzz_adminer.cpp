// What an adminer client sends, on arbitrary bytes. The first byte picks
// the reader: even, the HatEventAdminer decoders (the second byte picks
// the message type), whatever decodes surviving a re-encode; odd, a set of
// the logging configuration in force (Python's json.loads, then
// dictConfig's checks), whatever is accepted reading back as the same
// configuration.

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <variant>

#include "config/current_log_config.hpp"
#include "protocol/adminer_codec.hpp"

namespace {

void decode_message(std::string_view input) {
  using namespace hat::adminer;
  constexpr std::string_view names[] = {
    "HatEventAdminer.MsgGetLogConfReq", "HatEventAdminer.MsgGetLogConfRes",
    "HatEventAdminer.MsgSetLogConfReq", "HatEventAdminer.MsgSetLogConfRes"};
  if (input.empty())
    return;
  auto name = names[static_cast<uint8_t>(input[0]) % std::size(names)];
  input.remove_prefix(1);
  auto msg = hat::adminer::decode_message(name, input);
  if (!msg)
    return;
  std::vector<char> again;
  append_encoded(again, *msg);
  auto twice = hat::adminer::decode_message(name, again);
  if (!twice || !(*twice == *msg))
    std::abort();
}

void set_log_conf(std::string_view text) {
  hat::config::current_log_config conf;
  if (!std::holds_alternative<hat::config::log_settings>(conf.set(text)))
    return;
  auto written = conf.text();
  auto* json = std::get_if<std::string>(&written);
  if (!json)
    std::abort();  // what json.loads read, json.dumps writes
  hat::config::current_log_config again;
  if (!std::holds_alternative<hat::config::log_settings>(again.set(*json)))
    std::abort();
  auto rewritten = again.text();
  if (std::get<std::string>(rewritten) != *json)
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  std::string_view input{reinterpret_cast<const char*>(data) + 1, size - 1};
  if (data[0] % 2 == 0)
    decode_message(input);
  else
    set_log_conf(input);
  return 0;
}
