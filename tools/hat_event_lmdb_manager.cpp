// hat-event-lmdb-manager: inspect (query) and copy the LMDB database file
// of a hat-event 0.9 server, as the reference's tool of that name does.
// Exit codes: 0 done, 1 failed (missing or invalid database, destination
// exists), 2 bad arguments. The parts are in tools/hat_event_lmdb_manager/.

#include <iostream>
#include <string_view>
#include <vector>

#include "tools/hat_event_lmdb_manager/arguments.hpp"
#include "tools/hat_event_lmdb_manager/copy.hpp"
#include "tools/hat_event_lmdb_manager/failure.hpp"
#include "tools/hat_event_lmdb_manager/query.hpp"
#include "tools/hat_event_lmdb_manager/usage.hpp"

namespace tool = hat::tools::lmdb_manager;

namespace {

int run(const tool::command& command) {
  if (std::holds_alternative<tool::help_command>(command)) {
    std::cout << tool::synopsis_text << tool::details_text;
    return 0;
  }
  if (std::holds_alternative<tool::version_command>(command)) {
    std::cout << "hat-event-lmdb-manager " HAT_EVENT_VERSION
                 " (hat-event 0.9 database format)\n";
    return 0;
  }
  try {
    if (auto* query = std::get_if<tool::query_command>(&command))
      tool::run_query(*query, std::cout);
    else
      tool::run_copy(std::get<tool::copy_command>(command));
    std::cout << std::flush;
    return 0;
  } catch (const tool::command_error& e) {
    std::cout << std::flush;
    std::cerr << "hat-event-lmdb-manager: " << e.what() << "\n";
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  tool::command parsed;
  try {
    parsed = tool::parse_arguments(args);
  } catch (const tool::usage_error& e) {
    std::cerr << "hat-event-lmdb-manager: " << e.what() << "\n\n"
              << tool::synopsis_text
              << "\nRun 'hat-event-lmdb-manager --help' for more.\n";
    return 2;
  }
  return run(parsed);
}
