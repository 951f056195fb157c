#include "modules/builtin/module_conf.hpp"

#include <optional>
#include <stdexcept>
#include <string>

#include "protocol/event_type.hpp"

namespace hat::modules::builtin {

namespace json = boost::json;

module_conf::module_conf(std::string_view module, const json::object& conf)
  : module_(module), conf_(conf) {
}

const json::value* module_conf::find(std::string_view key) const {
  auto it = conf_.find(key);
  return it == conf_.end() ? nullptr : &it->value();
}

const json::value& module_conf::require(std::string_view key) const {
  if (const auto* value = find(key))
    return *value;
  refuse(key, "missing");
}

namespace {

/// The segments of `value` when it is a list of strings.
std::optional<event_type> as_segments(const json::value& value) {
  const auto* array = value.if_array();
  if (!array)
    return std::nullopt;
  event_type type;
  for (const auto& segment : *array) {
    if (!segment.is_string())
      return std::nullopt;
    type.emplace_back(segment.get_string());
  }
  return type;
}

}  // namespace

std::vector<event_type> module_conf::query_types(std::string_view key) const {
  const auto* array = require(key).if_array();
  if (!array || array->empty())
    refuse(key, "expected a non-empty list of query types");
  std::vector<event_type> types;
  for (std::size_t i = 0; i < array->size(); ++i) {
    auto field = std::string(key) + "[" + std::to_string(i) + "]";
    auto type = as_segments((*array)[i]);
    if (!type)
      refuse(field, "expected a list of strings");
    if (auto why = invalid_query_type_reason(*type))
      refuse(field, *why);
    types.push_back(std::move(*type));
  }
  return types;
}

event_type module_conf::event_type_prefix(std::string_view key) const {
  auto type = as_segments(require(key));
  if (!type)
    refuse(key, "expected a list of strings");
  if (auto why = invalid_event_type_reason(*type))
    refuse(key, *why);
  return std::move(*type);
}

double module_conf::positive_seconds(std::string_view key) const {
  const auto& value = require(key);
  if (!value.is_number())
    refuse(key, "expected a number of seconds");
  double seconds = value.to_number<double>();
  if (!(seconds > 0) || !(seconds <= max_seconds))
    refuse(key, "expected a number of seconds > 0 and <= 1000000000");
  return seconds;
}

void module_conf::refuse(std::string_view field,
                         std::string_view problem) const {
  throw std::invalid_argument(std::string(module_) + ": " +
                              std::string(field) + ": " +
                              std::string(problem));
}

}  // namespace hat::modules::builtin
