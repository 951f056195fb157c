#pragma once

/// The modules compiled into the server, found by the name `module:` gives.

#include <string_view>
#include <vector>

#include "modules/plugin.hpp"

namespace hat::modules {

/// Every built-in module's factory.
const std::vector<const module_factory*>& builtin_modules();

/// The built-in module called `name`, or null.
const module_factory* find_builtin(std::string_view name);

}  // namespace hat::modules
