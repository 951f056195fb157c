#pragma once

/// Running what the command line asked for against an Eventer server.

#include <ostream>
#include <stdexcept>

#include "tools/hat_event_manager/arguments.hpp"

namespace hat::manager_tool {

/// The command failed; what() says why (exit code 1). Connection problems
/// of the client library arrive as client_error, which means the same.
class command_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Runs a register, query or subscribe command, writing its JSON to `out`
/// and what people should know on the way (subscribed) to `notices`.
/// Returns the exit code of a success (0); failures throw.
int run_command(const arguments& args, std::ostream& out,
                std::ostream& notices);

}  // namespace hat::manager_tool
