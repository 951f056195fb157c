#include "config/lmdb_config.hpp"

#include <cmath>
#include <cstdint>

#include "config/json_fields.hpp"
#include "config/server_config.hpp"
#include "protocol/event_type.hpp"

namespace hat::config {

namespace {

namespace json = boost::json;
using namespace fields;

constexpr std::string_view section = "backend";

std::vector<event_type> read_event_types(const json::value& value,
                                         const std::string& path) {
  std::vector<event_type> types;
  const auto& array = as_array(value, path);
  for (size_t i = 0; i < array.size(); ++i) {
    auto type_path = index_path(path, i);
    event_type type;
    const auto& segments = as_array(array[i], type_path);
    for (size_t j = 0; j < segments.size(); ++j)
      type.push_back(as_string(segments[j], index_path(type_path, j)));
    if (auto why = invalid_query_type_reason(type))
      throw config_error(type_path, *why);
    types.push_back(std::move(type));
  }
  return types;
}

double read_positive(const json::object& object, std::string_view key) {
  auto path = child_path(section, key);
  auto value = as_number(require(object, section, key), path);
  // At most a year: the value becomes a duration in milliseconds.
  if (!(value > 0 && value <= 365 * 24 * 3600.0))
    throw config_error(path, "expected a positive number of seconds, up to "
                             "a year");
  return value;
}

void check_data_path(const json::value& value, const std::string& path) {
  if (value.is_string() || value.is_int64() || value.is_uint64())
    return;
  if (!value.is_array())
    type_error(path, "a string, an integer or an array", value);
  const auto& array = value.get_array();
  for (size_t i = 0; i < array.size(); ++i)
    check_data_path(array[i], index_path(path, i));
}

void check_condition(const json::value& value, const std::string& path) {
  const auto& object = as_object(value, path);
  auto type = as_string(require(object, path, "type"),
                        child_path(path, "type"));
  if (type == "all" || type == "any") {
    auto list_path = child_path(path, "conditions");
    const auto& list = as_array(require(object, path, "conditions"),
                                list_path);
    for (size_t i = 0; i < list.size(); ++i)
      check_condition(list[i], index_path(list_path, i));
    return;
  }
  if (type != "json")
    throw config_error(child_path(path, "type"),
                       "expected all, any or json, got '" + type + "'");
  if (auto* data_path = find(object, "data_path"))
    check_data_path(*data_path, child_path(path, "data_path"));
  if (auto* data_type = find(object, "data_type")) {
    auto type_path = child_path(path, "data_type");
    auto name = as_string(*data_type, type_path);
    if (name != "null" && name != "boolean" && name != "string"
        && name != "number" && name != "array" && name != "object")
      throw config_error(type_path, "unknown JSON type '" + name + "'");
  }
}

json::array read_conditions(const json::object& object) {
  auto path = child_path(section, "conditions");
  const auto& list = as_array(require(object, section, "conditions"), path);
  for (size_t i = 0; i < list.size(); ++i) {
    auto item_path = index_path(path, i);
    const auto& item = as_object(list[i], item_path);
    read_event_types(require(item, item_path, "subscriptions"),
                     child_path(item_path, "subscriptions"));
    check_condition(require(item, item_path, "condition"),
                    child_path(item_path, "condition"));
  }
  return list;
}

std::optional<double> optional_number(const json::object& object,
                                      const std::string& parent,
                                      std::string_view key) {
  if (auto* value = find(object, key))
    return as_number(*value, child_path(parent, key));
  return std::nullopt;
}

/// Counts are "number" in the reference schema; whole ones are meant.
/// Beyond the range of int64_t a count is the nearest end of it (Python
/// compares numbers of any size, so 1e30 entries means no limit there too).
std::optional<int64_t> optional_count(const json::object& object,
                                      const std::string& parent,
                                      std::string_view key) {
  auto value = optional_number(object, parent, key);
  if (!value)
    return std::nullopt;
  if (std::isnan(*value))
    throw config_error(child_path(parent, key), "expected a count, got NaN");
  // 2^63 as a double; every double below it converts exactly.
  constexpr double two_63 = 9223372036854775808.0;
  if (*value >= two_63)
    return INT64_MAX;
  if (*value < -two_63)
    return INT64_MIN;
  return static_cast<int64_t>(*value);
}

/// A retention in seconds: finite and within about 31,700 years either
/// way, so that "now minus it" stays a timestamp.
std::optional<double> optional_duration(const json::object& object,
                                        const std::string& parent) {
  auto value = optional_number(object, parent, "duration");
  if (value && !(std::abs(*value) <= 1e12))
    throw config_error(child_path(parent, "duration"),
                       "expected seconds within 1e12 either way");
  return value;
}

storage::partition_options read_partition(const json::value& value,
                                     const std::string& path) {
  const auto& object = as_object(value, path);
  storage::partition_options partition;
  auto order_path = child_path(path, "order_by");
  auto order = as_string(require(object, path, "order_by"), order_path);
  if (order == "TIMESTAMP")
    partition.order_by = order_by::timestamp;
  else if (order == "SOURCE_TIMESTAMP")
    partition.order_by = order_by::source_timestamp;
  else
    throw config_error(order_path,
                       "expected TIMESTAMP or SOURCE_TIMESTAMP, got '" + order
                         + "'");
  partition.subscriptions =
    read_event_types(require(object, path, "subscriptions"),
                     child_path(path, "subscriptions"));
  if (auto* limit = find(object, "limit")) {
    auto limit_path = child_path(path, "limit");
    const auto& limit_object = as_object(*limit, limit_path);
    partition.limit = storage::partition_limit{
      optional_count(limit_object, limit_path, "min_entries"),
      optional_count(limit_object, limit_path, "max_entries"),
      optional_duration(limit_object, limit_path),
      optional_count(limit_object, limit_path, "size"),
    };
  }
  return partition;
}

}  // namespace

lmdb_backend_config read_lmdb_backend(const json::object& backend) {
  lmdb_backend_config conf;
  auto db_path = as_string(require(backend, section, "db_path"),
                           "backend.db_path");
  if (db_path.empty())
    throw config_error("backend.db_path", "must not be empty");
  conf.db_path = db_path;
  const auto& identifier = require(backend, section, "identifier");
  if (!identifier.is_null())
    conf.identifier = as_string(identifier, "backend.identifier");
  conf.flush_period = read_positive(backend, "flush_period");
  conf.cleanup_period = read_positive(backend, "cleanup_period");
  conf.conditions = read_conditions(backend);
  const auto& latest = as_object(require(backend, section, "latest"),
                                 "backend.latest");
  conf.latest_subscriptions =
    read_event_types(require(latest, "backend.latest", "subscriptions"),
                     "backend.latest.subscriptions");
  const auto& timeseries = as_array(require(backend, section, "timeseries"),
                                    "backend.timeseries");
  for (size_t i = 0; i < timeseries.size(); ++i)
    conf.timeseries.push_back(
      read_partition(timeseries[i], index_path("backend.timeseries", i)));
  if (auto* max = find(backend, "timeseries_max_results")) {
    conf.timeseries_max_results =
      as_integer(*max, "backend.timeseries_max_results");
    if (conf.timeseries_max_results <= 0)
      throw config_error("backend.timeseries_max_results",
                         "expected a positive integer");
  }
  if (auto* size = find(backend, "timeseries_event_type_cache_size"))
    conf.timeseries_event_type_cache_size =
      as_integer(*size, "backend.timeseries_event_type_cache_size");
  return conf;
}

}  // namespace hat::config
