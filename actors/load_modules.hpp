#pragma once

/// The configured modules made ready to run: each `module:` resolved (a
/// built-in, else a library path), and its configuration validated against
/// the module's JSON schema when it declares one.

#include <vector>

#include "actors/module_spec.hpp"
#include "config/server_config.hpp"

namespace hat {

/// In configuration order. Throws std::runtime_error naming the module
/// (`modules[i] 'NAME'`) and what is wrong.
std::vector<module_spec> load_modules(
  const std::vector<config::module_config>& configured);

}  // namespace hat
