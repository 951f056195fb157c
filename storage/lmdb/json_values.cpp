#include "storage/lmdb/json_values.hpp"

#include <boost/json.hpp>

#include "storage/lmdb/json_text.hpp"

namespace hat::storage::lmdb::format {

namespace {

format_error unexpected(std::string_view what) {
  return {format_errc::unexpected_json, std::string(what)};
}

void append_event_type(std::string& out, const event_type& type) {
  out += '[';
  for (size_t i = 0; i < type.size(); ++i) {
    if (i != 0)
      out += ", ";
    append_json_string(out, type[i]);
  }
  out += ']';
}

/// An event type from a parsed JSON list of strings.
format_result<event_type> to_event_type(const boost::json::value& value) {
  const auto* list = value.if_array();
  if (list == nullptr)
    return unexpected("event type: not a JSON list");
  event_type type;
  type.reserve(list->size());
  for (const auto& item : *list) {
    const auto* segment = item.if_string();
    if (segment == nullptr)
      return unexpected("event type: a segment is not a string");
    type.emplace_back(segment->data(), segment->size());
  }
  return type;
}

std::string_view order_by_name(hat::order_by order_by) {
  return order_by == order_by::timestamp ? "timestamp" : "sourceTimestamp";
}

}  // namespace

std::string encode_setting(std::optional<std::string_view> text) {
  if (!text)
    return "null";
  std::string out;
  append_json_string(out, *text);
  return out;
}

format_result<std::optional<std::string>> decode_setting(
  std::string_view data) {
  auto value = decode_json(data);
  if (!value)
    return value.error();
  if (value->is_null())
    return std::optional<std::string>();
  const auto* text = value->if_string();
  if (text == nullptr)
    return unexpected("setting: neither a string nor null");
  return std::optional<std::string>(std::string(text->data(), text->size()));
}

std::string encode_event_type(const event_type& type) {
  std::string out;
  append_event_type(out, type);
  return out;
}

format_result<event_type> decode_event_type(std::string_view data) {
  auto value = decode_json(data);
  if (!value)
    return value.error();
  return to_event_type(*value);
}

std::string encode_partition(const partition_description& description) {
  // Member order as the reference's dict literal: order, subscriptions.
  std::string out = "{\"order\": ";
  append_json_string(out, order_by_name(description.order_by));
  out += ", \"subscriptions\": [";
  for (size_t i = 0; i < description.subscriptions.size(); ++i) {
    if (i != 0)
      out += ", ";
    append_event_type(out, description.subscriptions[i]);
  }
  out += "]}";
  return out;
}

format_result<partition_description> decode_partition(std::string_view data) {
  auto value = decode_json(data);
  if (!value)
    return value.error();
  const auto* object = value->if_object();
  if (object == nullptr)
    return unexpected("partition: not a JSON object");
  partition_description description;
  const auto* order = object->if_contains("order");
  if (order == nullptr || !order->is_string())
    return unexpected("partition: no string \"order\"");
  if (order->get_string() == "timestamp")
    description.order_by = order_by::timestamp;
  else if (order->get_string() == "sourceTimestamp")
    description.order_by = order_by::source_timestamp;
  else
    return unexpected("partition: unknown order");
  const auto* subscriptions = object->if_contains("subscriptions");
  if (subscriptions == nullptr || !subscriptions->is_array())
    return unexpected("partition: no list \"subscriptions\"");
  for (const auto& item : subscriptions->get_array()) {
    auto type = to_event_type(item);
    if (!type)
      return type.error();
    description.subscriptions.push_back(std::move(*type));
  }
  return description;
}

}  // namespace hat::storage::lmdb::format
