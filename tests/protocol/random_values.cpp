#include "tests/protocol/random_values.hpp"

namespace hat::test {

int64_t random_values::integer() {
  // Mostly small values, sometimes any 64-bit pattern, sometimes limits.
  switch (below(6)) {
    case 0:
      return static_cast<int64_t>(below(128)) - 64;
    case 1:
      return static_cast<int64_t>(rng_());
    case 2:
      return coin() ? INT64_MAX : INT64_MIN;
    default:
      return static_cast<int64_t>(below(1'000'000));
  }
}

std::string random_values::text() {
  static const std::string pieces[] = {"a", "b", "event", "", "š", "中",
                                       "😀", " ", "/", "data"};
  std::string out;
  for (size_t n = below(5); n > 0; --n)
    out += pieces[below(std::size(pieces))];
  return out;
}

std::string random_values::bytes() {
  std::string out(below(40), '\0');
  for (auto& c : out)
    c = static_cast<char>(below(256));
  return out;
}

timestamp random_values::any_timestamp() {
  return {integer(), static_cast<int32_t>(below(1'000'000))};
}

event_id random_values::any_event_id() {
  return {integer(), integer(), integer()};
}

event_type random_values::any_event_type() {
  event_type type(below(6));
  for (auto& segment : type)
    segment = text();
  return type;
}

event_payload random_values::any_payload() {
  if (coin())
    return payload_binary{text(), bytes()};
  return payload_json{"{\"value\": " + std::to_string(integer()) + "}"};
}

event random_values::any_event() {
  return {any_event_id(), any_event_type(), any_timestamp(),
          maybe<timestamp>([&] { return any_timestamp(); }),
          maybe<event_payload>([&] { return any_payload(); })};
}

register_event random_values::any_register_event() {
  return {any_event_type(), maybe<timestamp>([&] { return any_timestamp(); }),
          maybe<event_payload>([&] { return any_payload(); })};
}

query_params random_values::any_query_params() {
  auto types = [&] {
    std::vector<event_type> out(below(4));
    for (auto& t : out)
      t = any_event_type();
    return out;
  };
  switch (below(3)) {
    case 0:
      return query_latest_params{maybe<std::vector<event_type>>(types)};
    case 1: {
      query_timeseries_params q;
      q.event_types = maybe<std::vector<event_type>>(types);
      auto ts = [&] { return any_timestamp(); };
      q.t_from = maybe<timestamp>(ts);
      q.t_to = maybe<timestamp>(ts);
      q.source_t_from = maybe<timestamp>(ts);
      q.source_t_to = maybe<timestamp>(ts);
      q.order = coin() ? order::ascending : order::descending;
      q.order_by = coin() ? order_by::timestamp : order_by::source_timestamp;
      q.max_results = maybe<int64_t>([&] { return integer(); });
      q.last_event_id = maybe<event_id>([&] { return any_event_id(); });
      return q;
    }
    default: {
      query_server_params q;
      q.server_id = integer();
      q.persisted = coin();
      q.max_results = maybe<int64_t>([&] { return integer(); });
      q.last_event_id = maybe<event_id>([&] { return any_event_id(); });
      return q;
    }
  }
}

eventer::message random_values::any_eventer_message(
  eventer::dialect dialect) {
  using namespace eventer;
  auto any_status = [&] {
    if (dialect == dialect::v0_9_0)
      return coin() ? status::operational : status::standby;
    return static_cast<status>(below(4));
  };
  auto events = [&] {
    std::vector<event> out(below(4));
    for (auto& e : out)
      e = any_event();
    return out;
  };
  switch (below(9)) {
    case 0: {
      msg_init_req m;
      m.client_name = text();
      m.client_token = maybe<std::string>([&] { return text(); });
      m.subscriptions.resize(below(4));
      for (auto& t : m.subscriptions)
        t = any_event_type();
      m.server_id = maybe<int64_t>([&] { return integer(); });
      m.persisted = coin();
      return m;
    }
    case 1:
      if (coin())
        return msg_init_res{text(), status::standby};
      return msg_init_res{std::nullopt, any_status()};
    case 2:
      return msg_status_notify{any_status()};
    case 3:
      return msg_events_notify{events()};
    case 4:
      if (dialect == dialect::v0_9_0)
        return msg_status_ack{};
      return msg_events_ack{};
    case 5: {
      msg_register_req m;
      m.events.resize(below(4));
      for (auto& e : m.events)
        e = any_register_event();
      return m;
    }
    case 6:
      return msg_register_res{maybe<std::vector<event>>(events)};
    case 7:
      return msg_query_req{any_query_params()};
    default:
      return msg_query_res{query_result{events(), coin()}};
  }
}

}  // namespace hat::test
