// hat-event-client: register, query and subscribe against any hat-event
// 0.9 Eventer server from the command line, in JSON (client/event_json.hpp).
// Exit codes: 0 done, 1 failed (connection, refusal, timeout), 2 bad
// arguments. The parts are in tools/hat_event_client/.

#include <iostream>
#include <string_view>
#include <vector>

#include "client/eventer_client.hpp"
#include "tools/hat_event_client/arguments.hpp"
#include "tools/hat_event_client/commands.hpp"
#include "tools/hat_event_client/usage.hpp"

namespace tool = hat::client::tool;

namespace {

int run(const tool::arguments& args) {
  if (std::holds_alternative<tool::help_command>(args.command)) {
    std::cout << tool::synopsis_text << tool::details_text;
    return 0;
  }
  if (std::holds_alternative<tool::version_command>(args.command)) {
    std::cout << "hat-event-client " HAT_EVENT_VERSION
                 " (hat-event 0.9 compatible)\n";
    return 0;
  }
  try {
    return tool::run_command(args, std::cout, std::cerr);
  } catch (const tool::command_error& e) {
    std::cerr << "hat-event-client: " << e.what() << "\n";
  } catch (const hat::client::client_error& e) {
    std::cerr << "hat-event-client: " << e.what() << "\n";
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  tool::arguments parsed;
  try {
    parsed = tool::parse_arguments(args);
  } catch (const tool::usage_error& e) {
    std::cerr << "hat-event-client: " << e.what() << "\n\n"
              << tool::synopsis_text
              << "\nRun 'hat-event-client --help' for more.\n";
    return 2;
  }
  return run(parsed);
}
