#pragma once

/// Typed access to configuration JSON with errors that name the path:
/// "backend.flush_period: expected a number, got string". Shared by the
/// server configuration and the backends' own sections.

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace hat::config::fields {

/// "parent.key" ("key" at the top).
std::string child_path(std::string_view parent, std::string_view key);

/// "parent[index]".
std::string index_path(std::string_view parent, size_t index);

/// JSON Schema's name for the value's kind ("integer", "object", ...).
std::string_view kind_name(const boost::json::value& value);

[[noreturn]] void type_error(const std::string& path,
                             std::string_view expected,
                             const boost::json::value& value);

const boost::json::value* find(const boost::json::object& object,
                               std::string_view key);

/// The value at `key`, or config_error("parent.key", "missing").
const boost::json::value& require(const boost::json::object& object,
                                  std::string_view parent,
                                  std::string_view key);

const boost::json::object& as_object(const boost::json::value& value,
                                     const std::string& path);
const boost::json::array& as_array(const boost::json::value& value,
                                   const std::string& path);
std::string as_string(const boost::json::value& value,
                      const std::string& path);
bool as_boolean(const boost::json::value& value, const std::string& path);
int64_t as_integer(const boost::json::value& value, const std::string& path);
/// Integers and floats alike, as JSON Schema's "number".
double as_number(const boost::json::value& value, const std::string& path);
uint16_t as_port(const boost::json::value& value, const std::string& path,
                 int64_t min_port);

/// The object at `key`, nothing when absent; path = the key itself.
const boost::json::object* optional_object(const boost::json::object& parent,
                                           std::string_view key);

}  // namespace hat::config::fields
