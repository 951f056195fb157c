#pragma once

/// The logging configuration (`log`, Python's logging.config.dictConfig
/// shape), read one way for the configuration file at start-up and for
/// the adminer's set at run time, so that both accept and refuse the same
/// configurations in the same words.
///
/// read_log_config() checks a configuration as dictConfig does, in its
/// order, and refuses it with dictConfig's own text ("Unable to configure
/// root logger"). What it accepts becomes log_settings: what this server's
/// logger follows of it, today the root level. Formatters, filters,
/// handlers and other loggers are checked for their shape, their levels
/// and the names they refer to, and otherwise accepted without effect
/// (log_settings::ignored names them). Nothing is applied until the whole
/// configuration passed: unlike dictConfig, a refused configuration leaves
/// the one in force untouched.

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "log/logger.hpp"

namespace hat::config {

/// What a logging configuration asks of this server's logger.
struct log_settings {
  /// root.level when given; dictConfig leaves the level as it is
  /// otherwise.
  std::optional<log::level> root_level;
  /// The handlers this configuration defines, which a later incremental
  /// one may refer to; nothing for an incremental configuration (the
  /// handlers in force stay).
  std::optional<std::vector<std::string>> handlers;
  /// Keys accepted but not applied ("formatters", "root.handlers").
  std::vector<std::string> ignored;
};

/// Why dictConfig would refuse a configuration.
struct log_config_error {
  /// str() of what dictConfig raises, e.g. "Unable to configure root
  /// logger": the adminer's answer, as the reference's.
  std::string text;
  /// Where, inside the configuration ("root", "loggers.hat.event";
  /// empty: the whole).
  std::string path;
  /// What is wrong there when `text` does not say, e.g. "Unknown level:
  /// 'LOUD'" (Python chains such a cause to the exception), or empty.
  std::string cause;
};

/// Checks `conf` as dictConfig(conf) would in a process whose handlers in
/// force are `existing_handlers`.
std::variant<log_settings, log_config_error>
read_log_config(const boost::json::value& conf,
                const std::vector<std::string>& existing_handlers);

/// "text: cause" (or the text alone), for people.
std::string describe(const log_config_error& error);

/// Makes the process's logger follow `settings`.
void apply_log_settings(const log_settings& settings);

/// One notice naming what of `settings` is not applied, if anything is.
void report_ignored(const log_settings& settings, std::string_view component);

/// The logger level that lets through what Python's numeric `threshold`
/// lets through (our lines are DEBUG 10 to CRITICAL 50).
log::level level_for_threshold(int64_t threshold);

}  // namespace hat::config
