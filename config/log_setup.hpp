#pragma once

/// Turns an accepted logging configuration (read_log_config said yes)
/// into the loggers and handlers of log/ as Python's dictConfig would set
/// them up, starting from the configuration in force: loggers keep what
/// dictConfig keeps (levels of loggers the new configuration does not
/// name), disable_existing_loggers treats every logger we log under as
/// existing, and an incremental configuration only changes levels (and
/// propagate) of what is in force.
///
/// What is outside the subset we honour (a handler class we lack, a
/// formatter style, an unknown format field, a constructor keyword) is
/// left out and named in `unsupported`, for one warning.

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <vector>

#include "log/logger_tree.hpp"

namespace hat::config {

struct log_setup {
  std::shared_ptr<log::logger_tree> tree;
  /// "handlers.h.class logging.handlers.SysLogHandler", in the order met.
  std::vector<std::string> unsupported;
};

/// `previous`: the tree in force, or null (nothing configured yet).
log_setup build_logger_tree(const boost::json::object& config,
                            const log::logger_tree* previous);

}  // namespace hat::config
