#include "tools/hat_event_adminer/arguments.hpp"

#include <cmath>
#include <optional>

#include "tools/argument_cursor.hpp"

namespace hat::adminer_tool {

namespace {

using cursor = hat::tools::argument_cursor<usage_error>;

uint16_t port_value(cursor& c, std::string_view option) {
  auto text = c.value(option);
  auto value = tools::whole_number<int>(text);
  if (!value || *value < 1 || *value > 65535)
    tools::bad_value<usage_error>(option, text, "a port number in [1, 65535]");
  return static_cast<uint16_t>(*value);
}

std::chrono::milliseconds seconds_value(cursor& c, std::string_view option) {
  auto text = c.value(option);
  auto seconds = tools::whole_number<double>(text);
  if (!seconds || !(*seconds > 0) || *seconds > 1e6)
    tools::bad_value<usage_error>(option, text, "a number of seconds above 0");
  return std::chrono::milliseconds{
    static_cast<int64_t>(std::ceil(*seconds * 1000))};
}

}  // namespace

arguments parse_arguments(const std::vector<std::string_view>& args) {
  arguments parsed;
  if (tools::asks_for(args, "--help") || tools::asks_for(args, "-h")) {
    parsed.command = help_command{};
    return parsed;
  }
  if (tools::asks_for(args, "--version")) {
    parsed.command = version_command{};
    return parsed;
  }
  std::vector<std::string_view> positional;
  cursor c{args};
  while (!c.done()) {
    auto arg = c.next();
    if (!c.is_option(arg))
      positional.push_back(arg);
    else if (arg == "--host")
      parsed.host = c.value(arg);
    else if (arg == "--port")
      parsed.port = port_value(c, arg);
    else if (arg == "--timeout")
      parsed.timeout = seconds_value(c, arg);
    else
      throw usage_error("unknown option '" + std::string{arg} + "'");
  }
  if (positional.empty())
    throw usage_error("a command is needed: get-log-conf or set-log-conf");
  auto name = positional.front();
  if (name == "get-log-conf") {
    if (positional.size() > 1)
      throw usage_error("get-log-conf takes no argument, got '"
                        + std::string{positional[1]} + "'");
    parsed.command = get_command{};
  } else if (name == "set-log-conf") {
    if (positional.size() != 2)
      throw usage_error("set-log-conf takes one FILE ('-' for standard "
                        "input)");
    parsed.command = set_command{std::string{positional[1]}};
  } else {
    throw usage_error("unknown command '" + std::string{name} + "'");
  }
  if (parsed.host.empty())
    throw usage_error("--host: expected a host name or address, got ''");
  return parsed;
}

const char* const synopsis_text =
  "usage: hat-event-adminer [--host H] [--port P] [--timeout SECONDS]\n"
  "                         COMMAND\n"
  "\n"
  "  get-log-conf         print the logging configuration in force\n"
  "  set-log-conf FILE    put the configuration in FILE in force\n";

const char* const details_text =
  "\n"
  "Gets and sets the logging configuration of a running hat-event 0.9\n"
  "Event Server through its adminer (adminer_server in its\n"
  "configuration), as the reference's hat.event.adminer library does.\n"
  "\n"
  "  --host H           server host (default 127.0.0.1)\n"
  "  --port P           adminer port (default 23015)\n"
  "  --timeout SECONDS  bound on the connect and the answer (default 10)\n"
  "  --help, --version\n"
  "\n"
  "get-log-conf prints the configuration as the server's JSON text (null\n"
  "when the server has none). FILE ('-' for standard input) holds a\n"
  "Python logging dictConfig configuration: YAML when its name ends in\n"
  ".yaml or .yml, JSON otherwise; it is sent as JSON text.\n"
  "\n"
  "Exit codes: 0 done, 1 failed (the server's error text, or the\n"
  "connection's, on standard error), 2 bad arguments or FILE unreadable.\n";

}  // namespace hat::adminer_tool
