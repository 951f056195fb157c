#pragma once

/// The command line of hat-event-manager, parsed into what to do. Pure: no
/// I/O and no connection, so every rule can be tested directly. The
/// reference's actions, options and defaults (hat-event 0.9's
/// hat.event.manager), with its refused options fixed and a few of ours on
/// top (README, "hat-event-manager").

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

namespace hat::manager_tool {

/// The command line cannot be used; what() says why (exit code 2).
class usage_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct connection_arguments {
  std::string host = "127.0.0.1";
  uint16_t port = 23012;
  /// The reference's default: its connection shows up as
  /// event/<server>/eventer/manager events.
  std::string name = "manager";
  std::optional<std::string> token;
  eventer::dialect dialect = eventer::dialect::current;
};

struct help_command {};

struct version_command {};

/// How register reads its payload (--payload-type, or the file's suffix).
enum class payload_format { json, yaml, toml, binary, none };

/// The payload of a register, read when the command runs, before it
/// connects: from `path` ("-" is standard input) unless `inline_json` (our
/// --payload) gives it, or the format is none.
struct payload_source {
  payload_format format = payload_format::json;
  std::string binary_type;
  std::string path = "-";
  std::optional<std::string> inline_json;
};

/// One event from TYPE and options, or (ours) the events of a JSON file
/// ("-" for standard input).
struct register_command {
  std::optional<event_type> type;
  std::optional<timestamp> source_timestamp;
  payload_source payload;
  std::optional<std::string> events_file;
  /// Ours: wait for the server's answer and print the registered events.
  bool with_response = false;
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
  manager_tool::command command;
};

/// `args` without the program name. Throws usage_error.
arguments parse_arguments(const std::vector<std::string_view>& args);

/// "a/b/c" → {"a", "b", "c"}, as the reference splits it ("" is one empty
/// segment).
event_type parse_event_type(std::string_view text);

/// ISO-8601 text, float seconds since the epoch or "now".
std::optional<timestamp> parse_timestamp(std::string_view text);

/// "SERVER,SESSION,INSTANCE" as the reference meant it; slashes work too.
std::optional<event_id> parse_event_id(std::string_view text);

}  // namespace hat::manager_tool
