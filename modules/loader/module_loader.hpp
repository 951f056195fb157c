#pragma once

/// Finds the module that a `modules` entry of the configuration names
/// (`module: NAME`): a built-in module of that name first, otherwise a
/// shared library at the path NAME (see modules/plugin.hpp).

#include <memory>
#include <string>

#include "modules/plugin.hpp"

namespace hat::modules {

/// A module factory and what keeps its code in memory.
struct loaded_module {
  /// As configured.
  std::string name;
  /// Never null once loaded; static storage (built-in or in `library`).
  const module_factory* factory = nullptr;
  /// Keeps a dlopen'ed library loaded (null for built-ins). Must outlive
  /// every module the factory created: their code lives in the library.
  std::shared_ptr<void> library;
};

/// The built-in module called `name`, otherwise the shared library at the
/// path `name` (a relative path is relative to the current directory, not
/// searched for as dlopen would). Checks the library's abi_version and
/// abi_tag against the server's before using anything else of it.
///
/// Throws std::runtime_error naming the module and what is wrong: neither
/// a built-in module nor a file; the library does not load (dlerror's
/// text); no entry point; a different abi_version or abi_tag (both
/// given); no create function.
loaded_module load_module(const std::string& name);

}  // namespace hat::modules
