// Every HatEventer message decoder in both dialects on arbitrary bytes: the
// first byte picks the message type and dialect, the rest is the payload.
// Whatever decodes must re-encode to something that decodes to the same.

#include <cstdint>
#include <cstdlib>

#include "protocol/eventer_codec.hpp"

namespace {

constexpr std::string_view names[] = {
  "HatEventer.MsgInitReq",     "HatEventer.MsgInitRes",
  "HatEventer.MsgStatusNotify", "HatEventer.MsgEventsNotify",
  "HatEventer.MsgEventsAck",   "HatEventer.MsgStatusAck",
  "HatEventer.MsgRegisterReq", "HatEventer.MsgRegisterRes",
  "HatEventer.MsgQueryReq",    "HatEventer.MsgQueryRes",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hat::eventer;
  if (size == 0)
    return 0;
  auto name = names[data[0] % std::size(names)];
  auto dialect = data[0] & 0x80 ? dialect::v0_9_0 : dialect::current;
  std::span<const char> payload{reinterpret_cast<const char*>(data) + 1,
                                size - 1};
  auto msg = decode_message(name, payload, dialect);
  if (!msg)
    return 0;
  std::vector<char> again;
  append_encoded(again, *msg, dialect);
  auto twice = decode_message(name, again, dialect);
  if (!twice || !(*twice == *msg))
    std::abort();
  return 0;
}
