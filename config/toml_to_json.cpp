#include "config/toml_to_json.hpp"

// toml++ compiled into this file: Debian's pkg-config flags would link
// libtomlplusplus.so instead, a runtime dependency for one payload format.
#define TOML_HEADER_ONLY 1
#define TOML_SHARED_LIB 0
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "config/server_config.hpp"

namespace hat::config {
namespace {

namespace json = boost::json;

std::string line_of(const toml::node& node) {
  return " (line " + std::to_string(node.source().begin.line) + ")";
}

std::string child_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string{key} : path + "." + std::string{key};
}

[[noreturn]] void refuse(const std::string& path, const toml::node& node,
                         const std::string& problem) {
  throw config_error(path, problem + line_of(node));
}

json::value convert(const toml::node& node, const std::string& path);

/// Members in the order their keys first appear in the text, as a Python
/// dict built by tomllib has them; toml::table is sorted by name.
json::object convert_table(const toml::table& table, const std::string& path) {
  std::vector<std::pair<const toml::key*, const toml::node*>> members;
  for (auto&& [key, node] : table)
    members.emplace_back(&key, &node);
  std::stable_sort(members.begin(), members.end(),
                   [](const auto& a, const auto& b) {
                     const auto& x = a.first->source().begin;
                     const auto& y = b.first->source().begin;
                     return std::pair{x.line, x.column} <
                            std::pair{y.line, y.column};
                   });
  json::object object;
  object.reserve(members.size());
  for (const auto& [key, node] : members)
    object.emplace(key->str(), convert(*node, child_path(path, key->str())));
  return object;
}

json::value convert(const toml::node& node, const std::string& path) {
  switch (node.type()) {
  case toml::node_type::table:
    return convert_table(*node.as_table(), path);
  case toml::node_type::array: {
    json::array array;
    const auto& items = *node.as_array();
    array.reserve(items.size());
    for (size_t i = 0; i < items.size(); ++i)
      array.push_back(convert(items[i], path + "[" + std::to_string(i) + "]"));
    return array;
  }
  case toml::node_type::string:
    return json::string{node.as_string()->get()};
  case toml::node_type::integer:
    return node.as_integer()->get();
  case toml::node_type::floating_point: {
    double value = node.as_floating_point()->get();
    if (!std::isfinite(value))
      refuse(path, node,
             "nan and inf have no JSON form (the reference would send NaN)");
    return value;
  }
  case toml::node_type::boolean:
    return node.as_boolean()->get();
  case toml::node_type::date:
  case toml::node_type::time:
  case toml::node_type::date_time:
    refuse(path, node,
           "a TOML date or time has no JSON form (the reference fails to "
           "encode it)");
  case toml::node_type::none:
    break;
  }
  refuse(path, node, "a TOML value of no known type");
}

}  // namespace

json::value toml_to_json(std::string_view text) {
  toml::table document;
  try {
    document = toml::parse(text);
  } catch (const toml::parse_error& error) {
    const auto& at = error.source().begin;
    throw config_error("", "line " + std::to_string(at.line) + ", column " +
                             std::to_string(at.column) +
                             ": TOML syntax error: " +
                             std::string{error.description()});
  }
  return convert_table(document, "");
}

}  // namespace hat::config
