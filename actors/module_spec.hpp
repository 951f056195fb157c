#pragma once

/// A configured module as the engine runs it: which factory, from where,
/// with what configuration.

#include <cstdint>
#include <memory>
#include <string>

#include <boost/json/object.hpp>

#include "modules/plugin.hpp"

namespace hat {

struct module_spec {
  /// `module:` as configured (a built-in name or a library path).
  std::string name;
  const modules::module_factory* factory = nullptr;
  /// Keeps a module library loaded while any module it created lives.
  std::shared_ptr<void> library;
  /// The whole entry of `modules`.
  boost::json::object conf;
};

}  // namespace hat
