#pragma once

/// How a module reaches the server: a factory, either compiled into the
/// server (modules/builtin) or exported by a shared library that the
/// configuration names by path (`module: /path/libmine.so`).
///
/// A shared library exports one C function, hat_event_module_factory,
/// returning its factory; HAT_EVENT_MODULE defines it:
///
///   HAT_EVENT_MODULE(mine::factory)
///
/// The module API passes C++ types (std::vector, std::string, Boost.JSON)
/// across the library boundary, so a library must be built with the same
/// module API version, C++ ABI and Boost version as the server; the loader
/// compares abi_version and abi_tag and refuses a library that differs,
/// naming both.

#include <cstdint>
#include <memory>

#include <boost/json/object.hpp>
#include <boost/version.hpp>

#include "modules/engine_handle.hpp"
#include "modules/module.hpp"

namespace hat::modules {

/// Bumped on any change to module, engine_handle or module_factory.
inline constexpr uint32_t abi_version = 1;

#define HAT_EVENT_MODULE_STR2(x) #x
#define HAT_EVENT_MODULE_STR(x) HAT_EVENT_MODULE_STR2(x)
/// What else must match between server and library.
#define HAT_EVENT_MODULE_ABI_TAG                                           \
  "gxx-abi-" HAT_EVENT_MODULE_STR(__GXX_ABI_VERSION) "/cxx11-abi-"         \
    HAT_EVENT_MODULE_STR(_GLIBCXX_USE_CXX11_ABI) "/boost-"                 \
      HAT_EVENT_MODULE_STR(BOOST_VERSION)

inline constexpr const char* abi_tag = HAT_EVENT_MODULE_ABI_TAG;

struct module_factory {
  /// Stays the first member in every version, so any loader can read it.
  uint32_t abi_version = modules::abi_version;
  const char* abi_tag = HAT_EVENT_MODULE_ABI_TAG;
  /// The name it is known by (built-in: what `module:` says).
  const char* name = "";
  /// A JSON schema (JSON text) for the module's configuration object,
  /// validated before the module is created; null: none.
  const char* json_schema = nullptr;
  /// Creates the module from its configuration object (the whole entry of
  /// `modules`, `module` included). May throw: the server refuses to
  /// start (or to restart the engine) with the message.
  std::unique_ptr<module> (*create)(const boost::json::object& conf,
                                    engine_handle& engine,
                                    event_source source) = nullptr;
};

}  // namespace hat::modules

/// The C entry point's name, as the loader looks it up.
#define HAT_EVENT_MODULE_ENTRY "hat_event_module_factory"

/// Defines the entry point of a module library returning `factory` (a
/// hat::modules::module_factory with static storage duration).
#define HAT_EVENT_MODULE(factory)                                          \
  extern "C" __attribute__((visibility("default")))                        \
  const ::hat::modules::module_factory* hat_event_module_factory() {       \
    return &(factory);                                                     \
  }
