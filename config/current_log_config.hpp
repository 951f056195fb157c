#pragma once

/// The logging configuration in force, as the adminer reports and replaces
/// it: at first the configuration file's `log` (null when there is none),
/// then each configuration a set made take effect. A set is checked whole
/// (read_log_config) before it replaces anything, so a refused one leaves
/// the configuration, and the logger, as they were.

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/log_config.hpp"

namespace hat::config {

class current_log_config {
public:
  /// `initial`: the file's `log`, already checked at start-up.
  explicit current_log_config(boost::json::value initial = nullptr);

  /// The configuration as JSON text (json.dumps' text, key order kept),
  /// or, for a value JSON has no text for (a NaN from YAML), the error
  /// text the reference's encoder gives.
  std::variant<std::string, log_config_error> text() const;

  /// Makes the configuration whose JSON text is `text` the one in force
  /// and returns what the logger is to follow of it (the caller applies
  /// it), or leaves everything as it was and says why not: Python's JSON
  /// or dictConfig error text.
  std::variant<log_settings, log_config_error> set(std::string_view text);

  const boost::json::value& value() const {
    return value_;
  }

private:
  boost::json::value value_;
  /// Names of the handlers the configuration in force defined.
  std::vector<std::string> handlers_;
};

}  // namespace hat::config
