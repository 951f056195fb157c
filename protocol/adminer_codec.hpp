#pragma once

/// HatEventAdminer messages (hat-event 0.9.21+ adminer.sbs): remote get and
/// set of an Event Server's logging configuration, and their SBS codec.
///
///   MsgGetLogConfReq = None
///   MsgGetLogConfRes = Choice { success: String, error: String }
///   MsgSetLogConfReq = String
///   MsgSetLogConfRes = Choice { success: None, error: String }
///
/// Every configuration travels as JSON text in an SBS String.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/decode_error.hpp"

namespace hat::adminer {

struct msg_get_log_conf_req {
  bool operator==(const msg_get_log_conf_req&) const = default;
};

/// The configuration in force as JSON text, or an error text.
struct msg_get_log_conf_res {
  std::optional<std::string> error;
  std::string conf;
  bool operator==(const msg_get_log_conf_res&) const = default;
};

/// A new configuration as JSON text.
struct msg_set_log_conf_req {
  std::string conf;
  bool operator==(const msg_set_log_conf_req&) const = default;
};

/// Success, or why the configuration was refused.
struct msg_set_log_conf_res {
  std::optional<std::string> error;
  bool operator==(const msg_set_log_conf_res&) const = default;
};

using message = std::variant<msg_get_log_conf_req, msg_get_log_conf_res,
                             msg_set_log_conf_req, msg_set_log_conf_res>;

/// "HatEventAdminer.MsgGetLogConfReq", ...
std::string_view type_name(const message& msg);

/// Decodes the chatter `data.data` of a message named `type_name`;
/// trailing bytes are ignored, as the reference does.
decode_result<message> decode_message(std::string_view type_name,
                                      std::span<const char> data);

/// Size of the encoding of `msg`.
size_t encoded_size(const message& msg);

/// Writes the encoding at `out` (room for encoded_size bytes); returns the
/// end of what was written.
char* encode_to(char* out, const message& msg);

void append_encoded(std::vector<char>& out, const message& msg);

}  // namespace hat::adminer
