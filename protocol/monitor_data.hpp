#pragma once

/// The `data` an Event Server publishes through the Hat Monitor (its
/// MsgClient), written exactly as hat-event's Python does (json.dumps:
/// ", " and ": " separators, ASCII only with \u escapes), so that Python
/// peers read it and a byte-for-byte comparison with theirs holds.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hat::observer {

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
