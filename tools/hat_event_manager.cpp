// hat-event-manager: register, query and subscribe against any hat-event
// 0.9 Eventer server from the command line, with the arguments and the
// JSON output of the reference's tool of that name (it took over what
// hat-event-client, its forerunner here, did). Exit codes: 0 done, 1 failed
// (connection, refusal, payload, timeout), 2 bad arguments. The parts are
// in tools/hat_event_manager/.

#include <iostream>
#include <string_view>
#include <vector>

#include "client/eventer_client.hpp"
#include "tools/hat_event_manager/arguments.hpp"
#include "tools/hat_event_manager/commands.hpp"
#include "tools/hat_event_manager/payload_input.hpp"
#include "tools/hat_event_manager/usage.hpp"

namespace tool = hat::manager_tool;

namespace {

/// argparse's form ("PROG: error: ..."), so that the reference's users see
/// what they know; one line, no traceback.
constexpr const char* error_prefix = "hat-event-manager: error: ";

int run(const tool::arguments& args) {
  if (std::holds_alternative<tool::help_command>(args.command)) {
    std::cout << tool::synopsis_text << tool::details_text;
    return 0;
  }
  if (std::holds_alternative<tool::version_command>(args.command)) {
    std::cout << "hat-event-manager " HAT_EVENT_VERSION
                 " (hat-event 0.9 compatible)\n";
    return 0;
  }
  try {
    return tool::run_command(args, std::cout, std::cerr);
  } catch (const tool::command_error& e) {
    std::cerr << error_prefix << e.what() << "\n";
  } catch (const tool::payload_error& e) {
    std::cerr << error_prefix << e.what() << "\n";
  } catch (const hat::client::client_error& e) {
    std::cerr << error_prefix << e.what() << "\n";
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
    std::cerr << tool::synopsis_text << error_prefix << e.what() << "\n";
    return 2;
  }
  return run(parsed);
}
