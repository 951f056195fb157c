#include "tools/hat_event_lmdb_manager/record_json.hpp"

#include "client/event_json.hpp"

namespace hat::tools::lmdb_manager {

namespace json = boost::json;

namespace {

/// hat-event-manager's payload ({"data_type": ...}, from event_json) in
/// the lmdb manager's words; event_json stays the one place that turns
/// payload bytes into JSON.
json::value reshape_payload(const json::value& payload) {
  if (payload.is_null())
    return nullptr;
  auto& from = payload.get_object();
  if (from.at("data_type") == "binary")
    return {{"type", "BINARY"},
            {"subtype", from.at("binary_type")},
            {"data", from.at("data")}};
  json::object to{{"type", "JSON"}};
  if (auto* data = from.if_contains("data"))
    to["data"] = *data;
  else
    to["text"] = from.at("text");
  return to;
}

}  // namespace

json::value event_to_json(const event& e) {
  auto v = client::event_to_json(e);
  auto& payload = v.as_object()["payload"];
  payload = reshape_payload(payload);
  return v;
}

json::value latest_ref_to_json(const event_id& id,
                               const std::optional<event_type>& type) {
  json::value type_json = nullptr;
  if (type) {
    json::array segments;
    for (auto& segment : *type)
      segments.emplace_back(segment);
    type_json = std::move(segments);
  }
  return {{"event_id", client::event_id_to_json(id)},
          {"ref_type", "latest"},
          {"event_type", std::move(type_json)}};
}

json::value timeseries_ref_to_json(const event_id& id, uint64_t partition_id,
                                   const timestamp& t) {
  return {{"event_id", client::event_id_to_json(id)},
          {"ref_type", "timeseries"},
          {"partition_id", partition_id},
          {"timestamp", client::timestamp_to_json(t)}};
}

}  // namespace hat::tools::lmdb_manager
