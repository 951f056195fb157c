#pragma once

/// One thing logged, as Python's logging.LogRecord carries it to handlers
/// and formatters: the fields a configuration's formats may name.

#include <chrono>
#include <string>
#include <string_view>

namespace hat::log {

/// Where in our code a line was logged (__FILE__, __LINE__, __func__):
/// Python's pathname, lineno and funcName.
struct call_site {
  const char* pathname = "";
  int lineno = 0;
  const char* function = "";
};

struct record {
  /// The Python logger name ("hat.event.eventer.server").
  std::string_view name;
  /// Python's number: DEBUG 10 ... CRITICAL 50.
  int levelno = 0;
  std::string message;
  std::chrono::system_clock::time_point created;
  /// threading.get_ident(): pthread_self() as a number.
  unsigned long thread = 0;
  call_site where;
};

/// record.created as Python has it: time.time()'s float, the nanoseconds
/// divided by 1e9.
double created_seconds(std::chrono::system_clock::time_point created);

/// Python's logging.getLevelName for a number: "INFO", or "Level 15".
std::string level_name(int levelno);

}  // namespace hat::log
