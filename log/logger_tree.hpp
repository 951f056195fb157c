#pragma once

/// Python's loggers as logging.config leaves them: each named logger's
/// level, propagate flag, disabled flag, handlers and name filters, and
/// the root's. A record of logger "a.b.c" passes if the logger is not
/// disabled and its level is at least the effective level (its own, else
/// the nearest ancestor's that is set, else the root's); it then goes to
/// the handlers of a.b.c, a.b, a and the root in turn (each handler's own
/// level deciding), stopping after a logger whose propagate is false.
/// When no handler was found, WARNING and above go to stderr as the bare
/// message (Python's logging.lastResort).
///
/// A tree is not changed once installed: a new configuration builds a new
/// one (log_setup in config/), so records in flight keep a consistent one.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "log/handler.hpp"
#include "log/record.hpp"

namespace hat::log {

struct logger_node {
  /// 0 (NOTSET): the nearest ancestor's.
  int level = 0;
  bool propagate = true;
  /// disable_existing_loggers silenced it.
  bool disabled = false;
  std::vector<std::shared_ptr<handler>> handlers;
  /// Name filters of the logger itself (not applied to what it receives
  /// from descendants, as in Python).
  std::vector<std::string> filters;
};

struct logger_tree {
  /// Python's root starts at WARNING.
  logger_node root{30, true, false, {}, {}};
  std::map<std::string, logger_node, std::less<>> loggers;
  /// The handlers by their configuration names: an incremental
  /// configuration changes their levels.
  std::map<std::string, std::shared_ptr<handler>, std::less<>> handlers;

  int effective_level(std::string_view name) const;
  /// Logger.isEnabledFor.
  bool enabled_for(std::string_view name, int levelno) const;
  /// Logger.handle of an enabled record: filters, then the handlers up the
  /// chain (or the last resort).
  void dispatch(const record& rec) const;
  /// No record below this level passes any logger (a quick first test).
  int lowest_level() const;
};

/// "a.b.c" → "a.b" → "a" → "" (the root).
std::string_view parent_name(std::string_view name);

}  // namespace hat::log
