#pragma once

/// HatObserver messages (hat-monitor 0.8 observer.sbs) between a component
/// (our server) and its Hat Monitor Server, and their SBS codec.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/decode_error.hpp"

namespace hat::observer {

/// The monitor asks a component to run (token set) since `timestamp`.
struct blessing_req {
  std::optional<int64_t> token;
  std::optional<double> timestamp;
  bool operator==(const blessing_req&) const = default;
};

/// A component's answer: the token it runs with, and whether it is ready.
struct blessing_res {
  std::optional<int64_t> token;
  bool ready = false;
  bool operator==(const blessing_res&) const = default;
};

struct component_info {
  int64_t cid = 0;
  int64_t mid = 0;
  std::optional<std::string> name;
  std::optional<std::string> group;
  /// JSON text chosen by the component.
  std::string data;
  int64_t rank = 0;
  observer::blessing_req blessing_req;
  observer::blessing_res blessing_res;
  bool operator==(const component_info&) const = default;
};

/// Component → monitor, at start and whenever its blessing answer changes.
struct msg_client {
  std::string name;
  std::string group;
  /// JSON text, for an Event Server:
  /// {"server_id": N, "eventer_server": {"host": H, "port": P},
  ///  "server_token": T|null}
  std::string data;
  observer::blessing_res blessing_res;
  bool operator==(const msg_client&) const = default;
};

/// Monitor → component: the global state, on every change.
struct msg_server {
  /// This component's id and its monitor's id.
  int64_t cid = 0;
  int64_t mid = 0;
  std::vector<component_info> components;
  bool operator==(const msg_server&) const = default;
};

/// Monitor → component: shut down.
struct msg_close {
  bool operator==(const msg_close&) const = default;
};

using message = std::variant<msg_client, msg_server, msg_close>;

/// "HatObserver.MsgClient", ...
std::string_view type_name(const message& msg);

/// Decodes the chatter `data.data` of a message named `type_name`.
decode_result<message> decode_message(std::string_view type_name,
                                      std::span<const char> data);

/// Size of the encoding of `msg`.
size_t encoded_size(const message& msg);

/// Writes the encoding at `out` (room for encoded_size bytes); returns the
/// end of what was written.
char* encode_to(char* out, const message& msg);

void append_encoded(std::vector<char>& out, const message& msg);

}  // namespace hat::observer
