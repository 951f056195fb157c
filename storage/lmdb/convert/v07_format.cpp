#include "storage/lmdb/convert/v07_format.hpp"

#include <string>

#include <boost/json.hpp>

#include "storage/lmdb/json_text.hpp"

namespace hat::storage::lmdb::convert::v07 {

namespace {

constexpr size_t system_value_size =
  format::event_id_size + format::timestamp_size;

format::format_error unexpected(std::string_view what) {
  return {format::format_errc::unexpected_json, std::string(what)};
}

format::format_error truncated(std::string_view what, size_t size,
                               size_t expected) {
  return {format::format_errc::wrong_length,
          std::string(what) + ": " + std::to_string(size) +
            " bytes, expected " + std::to_string(expected)};
}

/// The partition order of a JSON number: 1 or 2 (Python compares 1.0 equal
/// to 1, so the reference takes it too).
format::format_result<order_by> to_order_by(const boost::json::value& order) {
  if (order.is_number()) {
    boost::json::error_code ec;
    auto n = order.to_number<double>(ec);
    if (!ec && n == 1)
      return order_by::timestamp;
    if (!ec && n == 2)
      return order_by::source_timestamp;
  }
  return unexpected("partition: \"order\" is neither 1 nor 2");
}

}  // namespace

std::string_view db_name(db_type type) {
  switch (type) {
  case db_type::system:
    return "SYSTEM";
  case db_type::latest_data:
    return "LATEST_DATA";
  case db_type::latest_type:
    return "LATEST_TYPE";
  case db_type::ordered_data:
    return "ORDERED_DATA";
  case db_type::ordered_partition:
    return "ORDERED_PARTITION";
  case db_type::ordered_count:
    return "ORDERED_COUNT";
  case db_type::ref:
    return "REF";
  }
  return "?";
}

format::format_result<system_value> decode_system_value(
  std::string_view data) {
  if (data.size() != system_value_size)
    return truncated("system value", data.size(), system_value_size);
  auto id = format::decode_event_id(data.substr(0, format::event_id_size));
  if (!id)
    return id.error();
  auto t = format::decode_timestamp(data.substr(format::event_id_size));
  if (!t)
    return t.error();
  return system_value{*id, *t};
}

format::format_result<std::vector<format::event_ref>> decode_event_refs(
  std::string_view data) {
  std::vector<format::event_ref> refs;
  while (!data.empty()) {
    auto tag = static_cast<uint8_t>(data.front());
    data.remove_prefix(1);
    if (tag == static_cast<uint8_t>(db_type::latest_data)) {
      auto key = format::decode_uint(data.substr(0, format::uint_size));
      if (!key)
        return truncated("latest event ref", data.size(), format::uint_size);
      refs.emplace_back(format::latest_event_ref{*key});
      data.remove_prefix(format::uint_size);
    } else if (tag == static_cast<uint8_t>(db_type::ordered_data)) {
      if (data.size() < format::timeseries_key_size)
        return truncated("ordered event ref", data.size(),
                         format::timeseries_key_size);
      auto key = format::decode_timeseries_key(
        data.substr(0, format::timeseries_key_size));
      if (!key)
        return key.error();
      refs.emplace_back(format::timeseries_event_ref{*key});
      data.remove_prefix(format::timeseries_key_size);
    } else {
      return format::format_error{
        format::format_errc::unknown_db_type,
        "event ref of db type " + std::to_string(tag)};
    }
  }
  return refs;
}

format::format_result<format::partition_description> decode_partition(
  std::string_view data) {
  auto value = format::decode_json(data);
  if (!value)
    return value.error();
  const auto* object = value->if_object();
  if (object == nullptr)
    return unexpected("partition: not a JSON object");
  const auto* order = object->if_contains("order");
  if (order == nullptr)
    return unexpected("partition: no \"order\"");
  auto order_by = to_order_by(*order);
  if (!order_by)
    return order_by.error();
  const auto* subscriptions = object->if_contains("subscriptions");
  if (subscriptions == nullptr)
    return unexpected("partition: no \"subscriptions\"");
  // The reference's v0.9 value: the order by name, the subscriptions
  // copied. Decoding it as v0.9 checks their shape as our backend will.
  boost::json::object current;
  current["order"] = *order_by == order_by::timestamp ? "timestamp"
                                                       : "sourceTimestamp";
  current["subscriptions"] = *subscriptions;
  auto text = format::encode_json(current);
  if (!text)
    return text.error();
  return format::decode_partition(*text);
}

}  // namespace hat::storage::lmdb::convert::v07
