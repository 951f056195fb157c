#pragma once

/// Reads a built-in module's configuration object. The server validates it
/// against the module's JSON schema first, but a module must not rely on
/// that (plugins may be created without validation), so every reader
/// checks what it returns and throws std::invalid_argument as
/// "<module>: <field>: <problem>".

#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "protocol/event.hpp"

namespace hat::modules::builtin {

class module_conf {
public:
  /// `module` names the module in error messages; `conf` must outlive
  /// this reader.
  module_conf(std::string_view module, const boost::json::object& conf);

  /// The value of `key`, or nullptr when absent.
  const boost::json::value* find(std::string_view key) const;

  /// The value of `key`; refuses when absent.
  const boost::json::value& require(std::string_view key) const;

  /// A non-empty list of query types (wildcards allowed, "*" last only).
  std::vector<event_type> query_types(std::string_view key) const;

  /// A list of strings without the wildcards "?" and "*" (an event type
  /// or a prefix of one; may be empty).
  event_type event_type_prefix(std::string_view key) const;

  /// A number of seconds > 0 and <= max_seconds (beyond that a duration
  /// would overflow the engine's timers, and nobody means it).
  double positive_seconds(std::string_view key) const;

  static constexpr double max_seconds = 1e9;

  /// Throws std::invalid_argument("<module>: <field>: <problem>").
  [[noreturn]] void refuse(std::string_view field,
                           std::string_view problem) const;

private:
  std::string_view module_;
  const boost::json::object& conf_;
};

}  // namespace hat::modules::builtin
