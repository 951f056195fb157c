#include "protocol/monitor_data.hpp"

#include <boost/json.hpp>

#include "protocol/python_json.hpp"

namespace hat::observer {

std::string python_json_string(std::string_view utf8) {
  std::string out;
  python_json::append_string(out, utf8);
  return out;
}

std::string monitor_data_json(int64_t server_id, std::string_view host,
                              uint16_t port,
                              const std::optional<std::string>& server_token) {
  return "{\"server_id\": " + std::to_string(server_id)
         + ", \"eventer_server\": {\"host\": " + python_json_string(host)
         + ", \"port\": " + std::to_string(port) + "}, \"server_token\": "
         + (server_token ? python_json_string(*server_token) : "null") + "}";
}

}  // namespace hat::observer

namespace hat::observer {

namespace {

/// What a component's data says, when it is an Event Server's.
struct peer_data {
  int64_t server_id = 0;
  std::string host;
  uint16_t port = 0;
  std::optional<std::string> server_token;
};

std::optional<peer_data> parse_peer_data(std::string_view text) {
  boost::system::error_code failed;
  auto value = boost::json::parse(text, failed);
  if (failed || !value.is_object())
    return std::nullopt;
  auto& data = value.get_object();
  auto* id = data.if_contains("server_id");
  auto* eventer = data.if_contains("eventer_server");
  auto* token = data.if_contains("server_token");
  if (!id || !id->is_int64() || !eventer || !eventer->is_object())
    return std::nullopt;
  auto* host = eventer->get_object().if_contains("host");
  auto* port = eventer->get_object().if_contains("port");
  if (!host || !host->is_string() || !port || !port->is_int64()
      || port->get_int64() < 0 || port->get_int64() > 65535)
    return std::nullopt;
  peer_data out{id->get_int64(), std::string{host->get_string()},
                static_cast<uint16_t>(port->get_int64()), std::nullopt};
  if (token && token->is_string())
    out.server_token = std::string{token->get_string()};
  else if (token && !token->is_null())
    return std::nullopt;
  return out;
}

}  // namespace

std::vector<peer_info> peers_of(const msg_server& state,
                                std::string_view group,
                                const std::optional<std::string>& server_token) {
  std::vector<peer_info> peers;
  for (auto& c : state.components) {
    if ((c.cid == state.cid && c.mid == state.mid) || c.group != group)
      continue;
    auto data = parse_peer_data(c.data);
    if (!data || (server_token && data->server_token != server_token))
      continue;
    peers.push_back(peer_info{data->server_id, std::move(data->host),
                              data->port, c.name.value_or("")});
  }
  return peers;
}

}  // namespace hat::observer
