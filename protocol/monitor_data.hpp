#pragma once

/// The `data` an Event Server publishes through the Hat Monitor (its
/// MsgClient), written exactly as hat-event's Python does (json.dumps:
/// ", " and ": " separators, ASCII only with \u escapes), so that Python
/// peers read it and a byte-for-byte comparison with theirs holds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/observer_codec.hpp"

namespace hat::observer {

/// A peer Event Server as the monitor's component list describes it.
struct peer_info {
  int64_t server_id = 0;
  std::string host;
  uint16_t port = 0;
  /// The component's name, for log lines.
  std::string name;
  bool operator==(const peer_info&) const = default;
};

/// The peers in `state` (spec redundancy.md §3.1): every other component
/// (not our cid/mid) of `group` whose data parses (server_id an integer,
/// eventer_server.host a string and port an integer, server_token a
/// string or null) and, when `server_token` is set, carries the same
/// token. Others are left out silently, as the reference does.
std::vector<peer_info> peers_of(const msg_server& state,
                                std::string_view group,
                                const std::optional<std::string>& server_token);

/// {"server_id": N, "eventer_server": {"host": H, "port": P},
///  "server_token": T or null}: only host and port of our eventer_server
/// section (our own keys there are not for peers).
std::string monitor_data_json(int64_t server_id, std::string_view host,
                              uint16_t port,
                              const std::optional<std::string>& server_token);

/// A JSON string as Python's json.dumps writes it (ensure_ascii): quotes,
/// \" \\ \n \r \t \b \f, other control characters and all non-ASCII as
/// \uXXXX (UTF-16 surrogate pairs above U+FFFF). `utf8` must be valid.
std::string python_json_string(std::string_view utf8);

}  // namespace hat::observer
