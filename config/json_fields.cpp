#include "config/json_fields.hpp"

#include "config/server_config.hpp"

namespace hat::config::fields {

namespace json = boost::json;

std::string child_path(std::string_view parent, std::string_view key) {
  std::string path{parent};
  if (!path.empty())
    path += '.';
  return path += key;
}

std::string index_path(std::string_view parent, size_t index) {
  return std::string{parent} + "[" + std::to_string(index) + "]";
}

/// JSON Schema's names for the kinds, as the messages use them.
std::string_view kind_name(const json::value& value) {
  switch (value.kind()) {
  case json::kind::null:
    return "null";
  case json::kind::bool_:
    return "boolean";
  case json::kind::int64:
  case json::kind::uint64:
    return "integer";
  case json::kind::double_:
    return "number";
  case json::kind::string:
    return "string";
  case json::kind::array:
    return "array";
  case json::kind::object:
    return "object";
  }
  return "value";
}

[[noreturn]] void type_error(const std::string& path,
                             std::string_view expected,
                             const json::value& value) {
  throw config_error(path, "expected " + std::string{expected} + ", got " +
                             std::string{kind_name(value)});
}

const json::value* find(const json::object& object, std::string_view key) {
  return object.if_contains(key);
}

const json::value& require(const json::object& object,
                           std::string_view parent, std::string_view key) {
  if (auto* value = find(object, key))
    return *value;
  throw config_error(child_path(parent, key), "missing");
}

const json::object& as_object(const json::value& value,
                              const std::string& path) {
  if (!value.is_object())
    type_error(path, "an object", value);
  return value.get_object();
}

const json::array& as_array(const json::value& value,
                            const std::string& path) {
  if (!value.is_array())
    type_error(path, "an array", value);
  return value.get_array();
}

std::string as_string(const json::value& value, const std::string& path) {
  if (!value.is_string())
    type_error(path, "a string", value);
  return std::string{value.get_string()};
}

bool as_boolean(const json::value& value, const std::string& path) {
  if (!value.is_bool())
    type_error(path, "a boolean", value);
  return value.get_bool();
}

int64_t as_integer(const json::value& value, const std::string& path) {
  if (value.is_int64())
    return value.get_int64();
  if (value.is_uint64())  // only ever above INT64_MAX
    throw config_error(path, "integer " + std::to_string(value.get_uint64()) +
                               " is out of range");
  type_error(path, "an integer", value);
}

uint16_t as_port(const json::value& value, const std::string& path,
                 int64_t min_port) {
  int64_t port = as_integer(value, path);
  if (port < min_port || port > 65535)
    throw config_error(path, "expected a port number in " +
                               std::to_string(min_port) + "..65535, got " +
                               std::to_string(port));
  return static_cast<uint16_t>(port);
}

const json::object* optional_object(const json::object& parent,
                                    std::string_view key) {
  auto* value = find(parent, key);
  return value ? &as_object(*value, std::string{key}) : nullptr;
}

double as_number(const json::value& value, const std::string& path) {
  if (value.is_int64())
    return static_cast<double>(value.get_int64());
  if (value.is_uint64())
    return static_cast<double>(value.get_uint64());
  if (value.is_double())
    return value.get_double();
  type_error(path, "a number", value);
}

}  // namespace hat::config::fields
