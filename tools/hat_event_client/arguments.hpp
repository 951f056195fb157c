#pragma once

/// The command line of hat-event-client, parsed into what to do. Pure: no
/// I/O and no connection, so every rule can be tested directly.

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/event.hpp"
#include "protocol/eventer_codec.hpp"

namespace hat::client::tool {

/// The command line cannot be used; what() says why (exit code 2).
class usage_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct connection_arguments {
  std::string host = "127.0.0.1";
  uint16_t port = 23012;
  std::string name = "hat-event-client";
  std::optional<std::string> token;
  eventer::dialect dialect = eventer::dialect::current;
};

struct help_command {};

struct version_command {};

/// One event from TYPE and options, or the events of a JSON file ("-" for
/// standard input), read when the command runs.
struct register_command {
  std::optional<register_event> event;
  std::optional<std::string> file;
  bool with_response = true;
};

struct query_command {
  query_params params;
};

struct subscribe_command {
  std::vector<event_type> types;
  std::optional<int64_t> server_id;
  bool persisted = false;
  std::optional<int64_t> count;
  std::optional<std::chrono::milliseconds> timeout;
};

using command = std::variant<help_command, version_command, register_command,
                             query_command, subscribe_command>;

struct arguments {
  connection_arguments connection;
  tool::command command;
};

/// `args` without the program name. Throws usage_error.
arguments parse_arguments(const std::vector<std::string_view>& args);

/// "a/b/c" → {"a", "b", "c"}, as the reference splits it ("" is one empty
/// segment).
event_type parse_event_type(std::string_view text);

/// ISO-8601 text, float seconds since the epoch or "now".
std::optional<timestamp> parse_timestamp(std::string_view text);

/// "SERVER/SESSION/INSTANCE"; commas work too, as in the reference.
std::optional<event_id> parse_event_id(std::string_view text);

}  // namespace hat::client::tool
