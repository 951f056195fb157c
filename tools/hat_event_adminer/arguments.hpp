#pragma once

/// The command line of hat-event-adminer, parsed into what to do. Pure: no
/// I/O and no connection, so every rule can be tested directly.

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hat::adminer_tool {

/// The command line (or the file it names) cannot be used; what() says
/// why (exit code 2).
class usage_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct help_command {};

struct version_command {};

/// Print the server's logging configuration.
struct get_command {};

/// Put the configuration in `file` ("-": standard input) in force.
struct set_command {
  std::string file;
};

using command =
  std::variant<help_command, version_command, get_command, set_command>;

struct arguments {
  std::string host = "127.0.0.1";
  /// The reference's adminer_server default.
  uint16_t port = 23015;
  std::chrono::milliseconds timeout{10'000};
  adminer_tool::command command;
};

/// `args` without the program name. Throws usage_error.
arguments parse_arguments(const std::vector<std::string_view>& args);

/// The synopsis (shown with a usage error) and the rest of --help.
extern const char* const synopsis_text;
extern const char* const details_text;

}  // namespace hat::adminer_tool
