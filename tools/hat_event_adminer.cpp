// hat-event-adminer: get and set the logging configuration of a running
// Event Server through its adminer. The reference has no such command
// (only the hat.event.adminer library); this one speaks the same protocol,
// so it works with either server. Exit codes: 0 done, 1 failed (the
// server's error text or the connection's), 2 bad arguments or an
// unusable FILE. The parts are in tools/hat_event_adminer/.

#include <iostream>
#include <string_view>
#include <vector>

#include "client/adminer_client.hpp"
#include "client/eventer_client.hpp"
#include "tools/hat_event_adminer/arguments.hpp"
#include "tools/hat_event_adminer/conf_file.hpp"

namespace tool = hat::adminer_tool;

namespace {

constexpr const char* program = "hat-event-adminer: ";

hat::client::adminer_client connect(const tool::arguments& args) {
  hat::client::adminer_options options;
  options.host = args.host;
  options.port = args.port;
  options.timeout = args.timeout;
  return hat::client::adminer_client::connect(std::move(options));
}

int get_log_conf(const tool::arguments& args) {
  auto answer = connect(args).get_log_conf();
  if (answer.error) {
    std::cerr << program << *answer.error << "\n";
    return 1;
  }
  std::cout << answer.conf << "\n";
  return 0;
}

int set_log_conf(const tool::arguments& args, const std::string& text) {
  auto answer = connect(args).set_log_conf(text);
  if (answer.error) {
    std::cerr << program << *answer.error << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> raw(argv + 1, argv + argc);
  tool::arguments args;
  std::string conf_text;
  try {
    args = tool::parse_arguments(raw);
    // The file is read before connecting: a file that cannot be sent is a
    // usage error whatever the server would say.
    if (auto* set = std::get_if<tool::set_command>(&args.command))
      conf_text = tool::conf_file_json(set->file);
  } catch (const tool::usage_error& e) {
    std::cerr << program << e.what() << "\n\n"
              << tool::synopsis_text
              << "\nRun 'hat-event-adminer --help' for more.\n";
    return 2;
  }
  if (std::holds_alternative<tool::help_command>(args.command)) {
    std::cout << tool::synopsis_text << tool::details_text;
    return 0;
  }
  if (std::holds_alternative<tool::version_command>(args.command)) {
    std::cout << "hat-event-adminer " HAT_EVENT_VERSION
                 " (hat-event 0.9 compatible)\n";
    return 0;
  }
  try {
    if (std::holds_alternative<tool::get_command>(args.command))
      return get_log_conf(args);
    return set_log_conf(args, conf_text);
  } catch (const hat::client::client_error& e) {
    std::cerr << program << e.what() << "\n";
    return 1;
  }
}
