#include "protocol/eventer_codec.hpp"

#include "protocol/sbs_reader.hpp"
#include "protocol/sbs_writer.hpp"

namespace hat::eventer {

// The put/get overloads live in this namespace (not an unnamed one) so that
// calls from templates find later overloads by argument-dependent lookup on
// `dialect`.

using sbs::reader;

// -- encoding: one `put` per schema type, run by a sizing and a writing sink

template <class S>
void put(S& s, const timestamp& t, dialect) {
  sbs::put_integer(s, t.s);
  sbs::put_integer(s, t.us);
}

template <class S>
void put(S& s, const event_id& id, dialect) {
  sbs::put_integer(s, id.server);
  sbs::put_integer(s, id.session);
  sbs::put_integer(s, id.instance);
}

template <class S>
void put(S& s, const event_type& type, dialect) {
  sbs::put_count(s, type.size());
  for (auto& segment : type)
    sbs::put_string(s, segment);
}

template <class S>
void put(S& s, const event_payload& payload, dialect) {
  if (auto binary = std::get_if<payload_binary>(&payload)) {
    sbs::put_count(s, 0);
    sbs::put_string(s, binary->type);
    sbs::put_bytes(s, binary->data);
  } else {
    sbs::put_count(s, 1);
    sbs::put_string(s, std::get<payload_json>(payload).text);
  }
}

template <class S, class T>
void put_optional(S& s, const std::optional<T>& value, dialect d) {
  sbs::put_optional(s, value,
                    [d](S& sink, const T& v) { put(sink, v, d); });
}

template <class S>
void put_optional(S& s, const std::optional<int64_t>& value, dialect) {
  sbs::put_optional(s, value, sbs::put_integer<S>);
}

template <class S, class T>
void put(S& s, const std::vector<T>& values, dialect d) {
  sbs::put_count(s, values.size());
  for (auto& value : values)
    put(s, value, d);
}

template <class S>
void put(S& s, const event& e, dialect d) {
  put(s, e.id, d);
  put(s, e.type, d);
  put(s, e.timestamp, d);
  put_optional(s, e.source_timestamp, d);
  put_optional(s, e.payload, d);
}

template <class S>
void put(S& s, const register_event& e, dialect d) {
  put(s, e.type, d);
  put_optional(s, e.source_timestamp, d);
  put_optional(s, e.payload, d);
}

// The v0.9.0 dialect has no starting/stopping: a server in transition is
// not operational yet (or any more), so it reads as standby.
template <class S>
void put(S& s, const status& st, dialect d) {
  if (d == dialect::current)
    sbs::put_count(s, static_cast<size_t>(st));
  else
    sbs::put_count(s, st == status::operational ? 1 : 0);
}

template <class S>
void put(S& s, const msg_init_req& m, dialect d) {
  sbs::put_string(s, m.client_name);
  sbs::put_optional(s, m.client_token, sbs::put_string<S>);
  put(s, m.subscriptions, d);
  put_optional(s, m.server_id, d);
  sbs::put_bool(s, m.persisted);
}

template <class S>
void put(S& s, const msg_init_res& m, dialect d) {
  if (m.error) {
    sbs::put_count(s, 1);
    sbs::put_string(s, *m.error);
  } else {
    sbs::put_count(s, 0);
    put(s, m.status, d);
  }
}

template <class S>
void put(S& s, const msg_status_notify& m, dialect d) {
  put(s, m.status, d);
}

template <class S>
void put(S& s, const msg_events_notify& m, dialect d) {
  put(s, m.events, d);
}

template <class S>
void put(S&, const msg_events_ack&, dialect) {
}

template <class S>
void put(S&, const msg_status_ack&, dialect) {
}

template <class S>
void put(S& s, const msg_register_req& m, dialect d) {
  put(s, m.events, d);
}

template <class S>
void put(S& s, const msg_register_res& m, dialect d) {
  if (m.events) {
    sbs::put_count(s, 0);
    put(s, *m.events, d);
  } else {
    sbs::put_count(s, 1);
  }
}

template <class S>
void put(S& s, const msg_register_res_view& m, dialect d) {
  sbs::put_count(s, 0);
  sbs::put_count(s, m.events.size());
  for (auto& e : m.events)
    put(s, e, d);
}

template <class S>
void put(S& s, const query_latest_params& p, dialect d) {
  put_optional(s, p.event_types, d);
}

template <class S>
void put(S& s, const query_timeseries_params& p, dialect d) {
  put_optional(s, p.event_types, d);
  put_optional(s, p.t_from, d);
  put_optional(s, p.t_to, d);
  put_optional(s, p.source_t_from, d);
  put_optional(s, p.source_t_to, d);
  sbs::put_count(s, static_cast<size_t>(p.order));
  sbs::put_count(s, static_cast<size_t>(p.order_by));
  put_optional(s, p.max_results, d);
  put_optional(s, p.last_event_id, d);
}

template <class S>
void put(S& s, const query_server_params& p, dialect d) {
  sbs::put_integer(s, p.server_id);
  sbs::put_bool(s, p.persisted);
  put_optional(s, p.max_results, d);
  put_optional(s, p.last_event_id, d);
}

template <class S>
void put(S& s, const msg_query_req& m, dialect d) {
  sbs::put_count(s, m.params.index());
  std::visit([&](auto& params) { put(s, params, d); }, m.params);
}

template <class S>
void put(S& s, const msg_query_res& m, dialect d) {
  put(s, m.result.events, d);
  sbs::put_bool(s, m.result.more_follows);
}

template <class S>
void put(S& s, const message& m, dialect d) {
  std::visit([&](auto& msg) { put(s, msg, d); }, m);
}

// -- decoding: one `get` per schema type; the reader keeps the first error

void get(reader& r, timestamp& t, dialect) {
  t.s = r.get_integer();
  // Any integer, as the reference: registration checks what can be stored.
  t.us = r.get_integer();
}

void get(reader& r, event_id& id, dialect) {
  id.server = r.get_integer();
  id.session = r.get_integer();
  id.instance = r.get_integer();
}

void get(reader& r, event_type& type, dialect) {
  auto count = r.get_count();
  type.clear();
  type.reserve(count);
  for (size_t i = 0; i < count && r.ok(); ++i)
    type.emplace_back(r.get_string());
}

void get(reader& r, event_payload& payload, dialect) {
  if (r.get_choice(2) == 0) {
    payload_binary binary;
    binary.type = r.get_string();
    binary.data = r.get_bytes();
    payload = std::move(binary);
  } else {
    payload = payload_json{std::string{r.get_string()}};
  }
}

template <class T>
void get_optional(reader& r, std::optional<T>& value, dialect d) {
  if (r.get_optional_flag()) {
    get(r, value.emplace(), d);
  } else {
    value.reset();
  }
}

void get_optional(reader& r, std::optional<int64_t>& value, dialect) {
  if (r.get_optional_flag()) {
    value = r.get_integer();
  } else {
    value.reset();
  }
}

void get_optional(reader& r, std::optional<std::string>& value, dialect) {
  if (r.get_optional_flag()) {
    value = r.get_string();
  } else {
    value.reset();
  }
}

template <class T>
void get(reader& r, std::vector<T>& values, dialect d) {
  auto count = r.get_count();
  values.clear();
  values.reserve(count);
  for (size_t i = 0; i < count && r.ok(); ++i)
    get(r, values.emplace_back(), d);
}

void get(reader& r, event& e, dialect d) {
  get(r, e.id, d);
  get(r, e.type, d);
  get(r, e.timestamp, d);
  get_optional(r, e.source_timestamp, d);
  get_optional(r, e.payload, d);
}

void get(reader& r, register_event& e, dialect d) {
  get(r, e.type, d);
  get_optional(r, e.source_timestamp, d);
  get_optional(r, e.payload, d);
}

void get(reader& r, status& st, dialect d) {
  if (d == dialect::current) {
    st = static_cast<status>(r.get_choice(4));
  } else {
    st = r.get_choice(2) == 1 ? status::operational : status::standby;
  }
}

void get(reader& r, msg_init_req& m, dialect d) {
  m.client_name = r.get_string();
  get_optional(r, m.client_token, d);
  get(r, m.subscriptions, d);
  get_optional(r, m.server_id, d);
  m.persisted = r.get_bool();
}

void get(reader& r, msg_init_res& m, dialect d) {
  if (r.get_choice(2) == 0) {
    m.error.reset();
    get(r, m.status, d);
  } else {
    m.error = r.get_string();
  }
}

void get(reader& r, msg_status_notify& m, dialect d) {
  get(r, m.status, d);
}

void get(reader& r, msg_events_notify& m, dialect d) {
  get(r, m.events, d);
}

void get(reader&, msg_events_ack&, dialect) {
}

void get(reader&, msg_status_ack&, dialect) {
}

void get(reader& r, msg_register_req& m, dialect d) {
  get(r, m.events, d);
}

void get(reader& r, msg_register_res& m, dialect d) {
  if (r.get_choice(2) == 0) {
    get(r, m.events.emplace(), d);
  } else {
    m.events.reset();
  }
}

void get(reader& r, query_latest_params& p, dialect d) {
  get_optional(r, p.event_types, d);
}

void get(reader& r, query_timeseries_params& p, dialect d) {
  get_optional(r, p.event_types, d);
  get_optional(r, p.t_from, d);
  get_optional(r, p.t_to, d);
  get_optional(r, p.source_t_from, d);
  get_optional(r, p.source_t_to, d);
  p.order = static_cast<order>(r.get_choice(2));
  p.order_by = static_cast<order_by>(r.get_choice(2));
  get_optional(r, p.max_results, d);
  get_optional(r, p.last_event_id, d);
}

void get(reader& r, query_server_params& p, dialect d) {
  p.server_id = r.get_integer();
  p.persisted = r.get_bool();
  get_optional(r, p.max_results, d);
  get_optional(r, p.last_event_id, d);
}

void get(reader& r, msg_query_req& m, dialect d) {
  switch (r.get_choice(3)) {
    case 0:
      get(r, m.params.emplace<query_latest_params>(), d);
      break;
    case 1:
      get(r, m.params.emplace<query_timeseries_params>(), d);
      break;
    default:
      get(r, m.params.emplace<query_server_params>(), d);
      break;
  }
}

void get(reader& r, msg_query_res& m, dialect d) {
  get(r, m.result.events, d);
  m.result.more_follows = r.get_bool();
}

namespace {

template <class T>
decode_result<T> decode_value(std::span<const char> data, dialect d) {
  reader r{data};
  T value{};
  get(r, value, d);
  if (!r.ok())
    return *r.error();
  return value;
}

template <class Msg>
decode_result<message> decode_as(std::span<const char> data, dialect d) {
  auto result = decode_value<Msg>(data, d);
  if (!result)
    return result.error();
  return message{std::move(*result)};
}

// Names in variant order.
constexpr std::string_view message_names[] = {
  "HatEventer.MsgInitReq",     "HatEventer.MsgInitRes",
  "HatEventer.MsgStatusNotify", "HatEventer.MsgEventsNotify",
  "HatEventer.MsgEventsAck",   "HatEventer.MsgStatusAck",
  "HatEventer.MsgRegisterReq", "HatEventer.MsgRegisterRes",
  "HatEventer.MsgQueryReq",    "HatEventer.MsgQueryRes",
};
static_assert(std::size(message_names) == std::variant_size_v<message>);

template <size_t I = 0>
decode_result<message> decode_by_index(size_t index,
                                       std::span<const char> data,
                                       dialect d) {
  if constexpr (I < std::variant_size_v<message>) {
    if (index == I)
      return decode_as<std::variant_alternative_t<I, message>>(data, d);
    return decode_by_index<I + 1>(index, data, d);
  } else {
    return decode_error{decode_errc::unknown_message_type, 0};
  }
}

template <class T, size_t I = 0>
constexpr size_t message_index() {
  static_assert(I < std::variant_size_v<message>, "not a message type");
  if constexpr (std::is_same_v<T, std::variant_alternative_t<I, message>>)
    return I;
  else
    return message_index<T, I + 1>();
}

}  // namespace

std::string_view type_name(const message& msg) {
  return message_names[msg.index()];
}

template <class Msg>
std::string_view type_name_of() {
  return message_names[message_index<Msg>()];
}

decode_result<message> decode_message(std::string_view type_name,
                                      std::span<const char> data,
                                      dialect d) {
  constexpr auto events_ack = message_index<msg_events_ack>();
  constexpr auto status_ack = message_index<msg_status_ack>();
  for (size_t i = 0; i < std::size(message_names); ++i) {
    if (message_names[i] != type_name)
      continue;
    if ((d == dialect::current && i == status_ack)
        || (d == dialect::v0_9_0 && i == events_ack))
      break;
    return decode_by_index(i, data, d);
  }
  return decode_error{decode_errc::unknown_message_type, 0};
}

template <class T>
size_t encoded_size(const T& value, dialect d) {
  sbs::size_sink sink;
  put(sink, value, d);
  return sink.size;
}

template <class T>
char* encode_to(char* out, const T& value, dialect d) {
  sbs::raw_sink sink{out};
  put(sink, value, d);
  return sink.pos;
}

template <class T>
void append_encoded(std::vector<char>& out, const T& value, dialect d) {
  sbs::append_encoded(out, value,
                      [d](auto& sink, const T& v) { put(sink, v, d); });
}

template <class T>
decode_result<T> decode(std::span<const char> data, dialect d) {
  return decode_value<T>(data, d);
}

#define HAT_EVENTER_CODEC_INSTANTIATE(T)                                     \
  template size_t encoded_size<T>(const T&, dialect);                        \
  template char* encode_to<T>(char*, const T&, dialect);                     \
  template void append_encoded<T>(std::vector<char>&, const T&, dialect);    \
  template decode_result<T> decode<T>(std::span<const char>, dialect);

HAT_EVENTER_CODEC_INSTANTIATE(timestamp)
HAT_EVENTER_CODEC_INSTANTIATE(event_id)
HAT_EVENTER_CODEC_INSTANTIATE(event_type)
HAT_EVENTER_CODEC_INSTANTIATE(event_payload)
HAT_EVENTER_CODEC_INSTANTIATE(event)
HAT_EVENTER_CODEC_INSTANTIATE(register_event)
HAT_EVENTER_CODEC_INSTANTIATE(msg_init_req)
HAT_EVENTER_CODEC_INSTANTIATE(msg_init_res)
HAT_EVENTER_CODEC_INSTANTIATE(msg_status_notify)
HAT_EVENTER_CODEC_INSTANTIATE(msg_events_notify)
HAT_EVENTER_CODEC_INSTANTIATE(msg_events_ack)
HAT_EVENTER_CODEC_INSTANTIATE(msg_status_ack)
HAT_EVENTER_CODEC_INSTANTIATE(msg_register_req)
HAT_EVENTER_CODEC_INSTANTIATE(msg_register_res)
HAT_EVENTER_CODEC_INSTANTIATE(msg_query_req)
HAT_EVENTER_CODEC_INSTANTIATE(msg_query_res)

#undef HAT_EVENTER_CODEC_INSTANTIATE

template size_t encoded_size<msg_register_res_view>(
  const msg_register_res_view&, dialect);
template char* encode_to<msg_register_res_view>(char*,
                                                const msg_register_res_view&,
                                                dialect);

// `message` itself encodes by visiting; decoding it needs a type name.
template size_t encoded_size<message>(const message&, dialect);
template char* encode_to<message>(char*, const message&, dialect);
template void append_encoded<message>(std::vector<char>&, const message&,
                                      dialect);

#define HAT_EVENTER_TYPE_NAME_INSTANTIATE(T)                                 \
  template std::string_view type_name_of<T>();

HAT_EVENTER_TYPE_NAME_INSTANTIATE(msg_init_req)
HAT_EVENTER_TYPE_NAME_INSTANTIATE(msg_init_res)
HAT_EVENTER_TYPE_NAME_INSTANTIATE(msg_status_notify)
HAT_EVENTER_TYPE_NAME_INSTANTIATE(msg_events_notify)
HAT_EVENTER_TYPE_NAME_INSTANTIATE(msg_events_ack)
HAT_EVENTER_TYPE_NAME_INSTANTIATE(msg_status_ack)
HAT_EVENTER_TYPE_NAME_INSTANTIATE(msg_register_req)
HAT_EVENTER_TYPE_NAME_INSTANTIATE(msg_register_res)
HAT_EVENTER_TYPE_NAME_INSTANTIATE(msg_query_req)
HAT_EVENTER_TYPE_NAME_INSTANTIATE(msg_query_res)

#undef HAT_EVENTER_TYPE_NAME_INSTANTIATE

}  // namespace hat::eventer
