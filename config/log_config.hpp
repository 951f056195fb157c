#pragma once

/// The logging configuration (`log`, Python's logging.config.dictConfig
/// shape), read one way for the configuration file at start-up and for
/// the adminer's set at run time, so that both accept and refuse the same
/// configurations in the same words.
///
/// read_log_config() checks a configuration as dictConfig does, in its
/// order, and refuses it with dictConfig's own text ("Unable to configure
/// root logger"). What it accepts becomes log_settings, which
/// apply_log_settings() makes the process's logging follow (log_setup.hpp
/// builds the loggers and handlers). Nothing is applied until the whole
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
  /// The accepted configuration itself; nothing when there is none (the
  /// file has no `log`): the built-in stderr lines stay.
  std::optional<boost::json::object> config;
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

/// Makes the process's logging follow `settings`, starting from the
/// configuration in force, and names what of it is outside the subset we
/// honour in one warning of `component`.
void apply_log_settings(const log_settings& settings,
                        std::string_view component);

/// logging._checkLevel of a level read_log_config accepted.
int64_t python_level(const boost::json::value& level);

/// The logger level that lets through what Python's numeric `threshold`
/// lets through (our lines are DEBUG 10 to CRITICAL 50).
log::level level_for_threshold(int64_t threshold);

}  // namespace hat::config
