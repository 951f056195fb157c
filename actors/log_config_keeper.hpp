#pragma once

/// Keeps the logging configuration in force (config::current_log_config):
/// answers the adminer connections' get and set one at a time, and makes
/// the process's logger follow each configuration a set put in force.
/// Reading and checking a configuration's JSON is work for a scheduler
/// thread, not for the network thread the connections run on.

#include <boost/json/value.hpp>

#include "actors/interfaces.hpp"
#include "config/current_log_config.hpp"

namespace hat {

struct log_config_keeper_state {
  /// The configuration in force and the handlers it defined.
  config::current_log_config conf;

  static inline const char* name = "log_config_keeper";
};

/// `initial`: the configuration file's `log` (null when absent), the one
/// the logger already follows.
log_config_actor::behavior_type log_config_keeper(
  log_config_actor::stateful_pointer<log_config_keeper_state> self,
  boost::json::value initial);

}  // namespace hat
