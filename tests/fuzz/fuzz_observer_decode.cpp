// HatObserver message decoders on arbitrary bytes; the first byte picks the
// message type. Whatever decodes must survive a re-encode.

#include <cstdint>
#include <cstdlib>

#include "protocol/observer_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hat::observer;
  constexpr std::string_view names[] = {"HatObserver.MsgClient",
                                        "HatObserver.MsgServer",
                                        "HatObserver.MsgClose"};
  if (size == 0)
    return 0;
  auto name = names[data[0] % std::size(names)];
  std::span<const char> payload{reinterpret_cast<const char*>(data) + 1,
                                size - 1};
  auto msg = decode_message(name, payload);
  if (!msg)
    return 0;
  std::vector<char> again;
  append_encoded(again, *msg);
  auto twice = decode_message(name, again);
  // NaN timestamps never compare equal; compare the bytes instead.
  std::vector<char> thrice;
  if (!twice)
    std::abort();
  append_encoded(thrice, *twice);
  if (thrice != again)
    std::abort();
  return 0;
}
