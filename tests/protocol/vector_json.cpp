#include "tests/protocol/vector_json.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "protocol/hex_digit.hpp"

namespace hat::test {

namespace json = boost::json;

namespace {

int hex_digit(char c) {
  int value = hex_digit_value(c);
  if (value < 0)
    throw std::invalid_argument("bad hex digit");
  return value;
}

std::string_view str(const json::value& v) {
  auto& s = v.as_string();
  return {s.data(), s.size()};
}

/// ["name", value] of a Choice.
std::pair<std::string_view, const json::value&>
choice(const json::value& v) {
  auto& a = v.as_array();
  return {str(a.at(0)), a.at(1)};
}

template <class F>
auto optional_from(const json::value& v, F&& from)
  -> std::optional<decltype(from(v))> {
  auto [name, value] = choice(v);
  if (name == "none")
    return std::nullopt;
  return from(value);
}

int64_t integer(const json::value& v) {
  return v.as_int64();
}

std::optional<int64_t> optional_integer(const json::value& v) {
  return optional_from(v, integer);
}

std::string bytes(const json::value& v) {
  auto raw = from_hex(str(v.at("hex")));
  return {raw.begin(), raw.end()};
}

std::vector<event_type> event_types(const json::value& v) {
  std::vector<event_type> types;
  for (auto& t : v.as_array())
    types.push_back(event_type_from_json(t));
  return types;
}

std::vector<event> events(const json::value& v) {
  std::vector<event> result;
  for (auto& e : v.as_array())
    result.push_back(event_from_json(e));
  return result;
}

status status_from_json(const json::value& v) {
  auto name = choice(v).first;
  if (name == "standby")
    return status::standby;
  if (name == "starting")
    return status::starting;
  if (name == "operational")
    return status::operational;
  if (name == "stopping")
    return status::stopping;
  throw std::invalid_argument("bad status");
}

query_params query_params_from_json(const json::value& v) {
  auto [kind, p] = choice(v);
  if (kind == "latest")
    return query_latest_params{optional_from(p.at("eventTypes"),
                                             event_types)};
  if (kind == "timeseries") {
    query_timeseries_params q;
    q.event_types = optional_from(p.at("eventTypes"), event_types);
    q.t_from = optional_from(p.at("tFrom"), timestamp_from_json);
    q.t_to = optional_from(p.at("tTo"), timestamp_from_json);
    q.source_t_from = optional_from(p.at("sourceTFrom"), timestamp_from_json);
    q.source_t_to = optional_from(p.at("sourceTTo"), timestamp_from_json);
    q.order = choice(p.at("order")).first == "ascending" ? order::ascending
                                                         : order::descending;
    q.order_by = choice(p.at("orderBy")).first == "sourceTimestamp"
                   ? order_by::source_timestamp
                   : order_by::timestamp;
    q.max_results = optional_integer(p.at("maxResults"));
    q.last_event_id = optional_from(p.at("lastEventId"), event_id_from_json);
    return q;
  }
  if (kind == "server") {
    query_server_params q;
    q.server_id = integer(p.at("serverId"));
    q.persisted = p.at("persisted").as_bool();
    q.max_results = optional_integer(p.at("maxResults"));
    q.last_event_id = optional_from(p.at("lastEventId"), event_id_from_json);
    return q;
  }
  throw std::invalid_argument("bad query kind");
}

observer::blessing_res blessing_res_from_json(const json::value& v) {
  return {optional_integer(v.at("token")), v.at("ready").as_bool()};
}

observer::blessing_req blessing_req_from_json(const json::value& v) {
  return {optional_integer(v.at("token")),
          optional_from(v.at("timestamp"),
                        [](const json::value& t) { return t.to_number<double>(); })};
}

}  // namespace

std::string vectors_dir() {
  return HAT_TEST_VECTORS_DIR;
}

json::array load_vectors(const std::string& file_name) {
  std::ifstream in{vectors_dir() + "/" + file_name};
  if (!in)
    throw std::runtime_error("cannot open vectors file " + file_name);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str()).as_array();
}

std::string text_of(const json::value& v, std::string_view key) {
  return std::string{str(v.at(key))};
}

std::vector<char> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0)
    throw std::invalid_argument("odd hex length");
  std::vector<char> out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2)
    out.push_back(static_cast<char>(hex_digit(hex[i]) * 16
                                    + hex_digit(hex[i + 1])));
  return out;
}

std::string to_hex(std::span<const char> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto b = static_cast<uint8_t>(c);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0xF]);
  }
  return out;
}

timestamp timestamp_from_json(const json::value& v) {
  return {integer(v.at("s")), static_cast<int32_t>(integer(v.at("us")))};
}

event_id event_id_from_json(const json::value& v) {
  return {integer(v.at("server")), integer(v.at("session")),
          integer(v.at("instance"))};
}

event_type event_type_from_json(const json::value& v) {
  event_type type;
  for (auto& segment : v.as_array())
    type.emplace_back(str(segment));
  return type;
}

event_payload event_payload_from_json(const json::value& v) {
  auto [kind, p] = choice(v);
  if (kind == "binary")
    return payload_binary{std::string{str(p.at("type"))}, bytes(p.at("data"))};
  return payload_json{std::string{str(p)}};
}

event event_from_json(const json::value& v) {
  return {event_id_from_json(v.at("id")),
          event_type_from_json(v.at("type")),
          timestamp_from_json(v.at("timestamp")),
          optional_from(v.at("sourceTimestamp"), timestamp_from_json),
          optional_from(v.at("payload"), event_payload_from_json)};
}

register_event register_event_from_json(const json::value& v) {
  return {event_type_from_json(v.at("type")),
          optional_from(v.at("sourceTimestamp"), timestamp_from_json),
          optional_from(v.at("payload"), event_payload_from_json)};
}

eventer::message eventer_message_from_json(std::string_view type,
                                           const json::value& v,
                                           eventer::dialect) {
  using namespace eventer;
  if (type == "MsgInitReq") {
    msg_init_req m;
    m.client_name = str(v.at("clientName"));
    m.client_token = optional_from(v.at("clientToken"), [](auto& t) {
      return std::string{str(t)};
    });
    m.subscriptions = event_types(v.at("subscriptions"));
    m.server_id = optional_integer(v.at("serverId"));
    m.persisted = v.at("persisted").as_bool();
    return m;
  }
  if (type == "MsgInitRes") {
    auto [kind, value] = choice(v);
    if (kind == "error")
      return msg_init_res{std::string{str(value)}, status::standby};
    return msg_init_res{std::nullopt, status_from_json(value)};
  }
  if (type == "MsgStatusNotify")
    return msg_status_notify{status_from_json(v)};
  if (type == "MsgEventsNotify")
    return msg_events_notify{events(v)};
  if (type == "MsgEventsAck")
    return msg_events_ack{};
  if (type == "MsgStatusAck")
    return msg_status_ack{};
  if (type == "MsgRegisterReq") {
    msg_register_req m;
    for (auto& e : v.as_array())
      m.events.push_back(register_event_from_json(e));
    return m;
  }
  if (type == "MsgRegisterRes") {
    auto [kind, value] = choice(v);
    if (kind == "failure")
      return msg_register_res{};
    return msg_register_res{events(value)};
  }
  if (type == "MsgQueryReq")
    return msg_query_req{query_params_from_json(v)};
  if (type == "MsgQueryRes")
    return msg_query_res{
      query_result{events(v.at("events")), v.at("moreFollows").as_bool()}};
  throw std::invalid_argument("no converter for HatEventer." + std::string{type});
}

observer::message observer_message_from_json(std::string_view type,
                                             const json::value& v) {
  using namespace observer;
  if (type == "MsgClient")
    return msg_client{std::string{str(v.at("name"))},
                      std::string{str(v.at("group"))},
                      std::string{str(v.at("data"))},
                      blessing_res_from_json(v.at("blessingRes"))};
  if (type == "MsgServer") {
    msg_server m;
    m.cid = integer(v.at("cid"));
    m.mid = integer(v.at("mid"));
    for (auto& c : v.at("components").as_array()) {
      component_info info;
      info.cid = integer(c.at("cid"));
      info.mid = integer(c.at("mid"));
      auto to_string = [](auto& s) { return std::string{str(s)}; };
      info.name = optional_from(c.at("name"), to_string);
      info.group = optional_from(c.at("group"), to_string);
      info.data = str(c.at("data"));
      info.rank = integer(c.at("rank"));
      info.blessing_req = blessing_req_from_json(c.at("blessingReq"));
      info.blessing_res = blessing_res_from_json(c.at("blessingRes"));
      m.components.push_back(std::move(info));
    }
    return m;
  }
  if (type == "MsgClose")
    return msg_close{};
  throw std::invalid_argument("no converter for HatObserver." + std::string{type});
}

adminer::message adminer_message_from_json(std::string_view type,
                                           const json::value& v) {
  using namespace adminer;
  // Response(T) = Choice { success: T, error: String }.
  auto error_of = [](const json::value& response) {
    auto [kind, value] = choice(response);
    return kind == "error" ? std::optional<std::string>{str(value)}
                           : std::nullopt;
  };
  if (type == "MsgGetLogConfReq")
    return msg_get_log_conf_req{};
  if (type == "MsgGetLogConfRes") {
    auto error = error_of(v);
    return msg_get_log_conf_res{
      error, error ? std::string{} : std::string{str(choice(v).second)}};
  }
  if (type == "MsgSetLogConfReq")
    return msg_set_log_conf_req{std::string{str(v)}};
  if (type == "MsgSetLogConfRes")
    return msg_set_log_conf_res{error_of(v)};
  throw std::invalid_argument("no converter for HatEventAdminer."
                              + std::string{type});
}

chatter_msg_value chatter_msg_from_json(const json::value& v) {
  chatter_msg_value msg;
  msg.header.id = integer(v.at("id"));
  msg.header.first = integer(v.at("first"));
  msg.header.owner = v.at("owner").as_bool();
  msg.header.token = v.at("token").as_bool();
  msg.header.last = v.at("last").as_bool();
  msg.type = str(v.at("data").at("type"));
  msg.data = from_hex(str(v.at("data").at("data").at("hex")));
  return msg;
}

}  // namespace hat::test
