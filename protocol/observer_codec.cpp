#include "protocol/observer_codec.hpp"

#include "protocol/sbs_message_table.hpp"

namespace hat::observer {

namespace {

using sbs::reader;

template <class S>
void put_optional_integer(S& s, const std::optional<int64_t>& value) {
  sbs::put_optional(s, value, sbs::put_integer<S>);
}

template <class S>
void put_optional_string(S& s, const std::optional<std::string>& value) {
  sbs::put_optional(s, value, sbs::put_string<S>);
}

template <class S>
void put(S& s, const blessing_res& b) {
  put_optional_integer(s, b.token);
  sbs::put_bool(s, b.ready);
}

template <class S>
void put(S& s, const blessing_req& b) {
  put_optional_integer(s, b.token);
  sbs::put_optional(s, b.timestamp, sbs::put_double<S>);
}

template <class S>
void put(S& s, const component_info& c) {
  sbs::put_integer(s, c.cid);
  sbs::put_integer(s, c.mid);
  put_optional_string(s, c.name);
  put_optional_string(s, c.group);
  sbs::put_string(s, c.data);
  sbs::put_integer(s, c.rank);
  put(s, c.blessing_req);
  put(s, c.blessing_res);
}

template <class S>
void put(S& s, const msg_client& m) {
  sbs::put_string(s, m.name);
  sbs::put_string(s, m.group);
  sbs::put_string(s, m.data);
  put(s, m.blessing_res);
}

template <class S>
void put(S& s, const msg_server& m) {
  sbs::put_integer(s, m.cid);
  sbs::put_integer(s, m.mid);
  sbs::put_count(s, m.components.size());
  for (auto& c : m.components)
    put(s, c);
}

template <class S>
void put(S&, const msg_close&) {
}

template <class S>
void put(S& s, const message& m) {
  std::visit([&](auto& msg) { put(s, msg); }, m);
}

std::optional<int64_t> get_optional_integer(reader& r) {
  if (r.get_optional_flag())
    return r.get_integer();
  return std::nullopt;
}

std::optional<std::string> get_optional_string(reader& r) {
  if (r.get_optional_flag())
    return std::string{r.get_string()};
  return std::nullopt;
}

blessing_res get_blessing_res(reader& r) {
  blessing_res b;
  b.token = get_optional_integer(r);
  b.ready = r.get_bool();
  return b;
}

blessing_req get_blessing_req(reader& r) {
  blessing_req b;
  b.token = get_optional_integer(r);
  if (r.get_optional_flag())
    b.timestamp = r.get_double();
  return b;
}

component_info get_component_info(reader& r) {
  component_info c;
  c.cid = r.get_integer();
  c.mid = r.get_integer();
  c.name = get_optional_string(r);
  c.group = get_optional_string(r);
  c.data = r.get_string();
  c.rank = r.get_integer();
  c.blessing_req = get_blessing_req(r);
  c.blessing_res = get_blessing_res(r);
  return c;
}

message get_client(reader& r) {
  msg_client m;
  m.name = r.get_string();
  m.group = r.get_string();
  m.data = r.get_string();
  m.blessing_res = get_blessing_res(r);
  return m;
}

message get_server(reader& r) {
  msg_server m;
  m.cid = r.get_integer();
  m.mid = r.get_integer();
  auto count = r.get_count();
  m.components.reserve(count);
  for (size_t i = 0; i < count && r.ok(); ++i)
    m.components.push_back(get_component_info(r));
  return m;
}

message get_close(reader&) {
  return msg_close{};
}

using message_kind = sbs::message_kind<message>;

/// Writes any message of the protocol.
struct put_message {
  template <class S>
  void operator()(S& s, const message& m) const {
    put(s, m);
  }
};

// In variant order.
constexpr message_kind kinds[] = {
  {"HatObserver.MsgClient", get_client},
  {"HatObserver.MsgServer", get_server},
  {"HatObserver.MsgClose", get_close},
};
static_assert(std::size(kinds) == std::variant_size_v<message>);

}  // namespace

std::string_view type_name(const message& msg) {
  return kinds[msg.index()].name;
}

decode_result<message> decode_message(std::string_view type_name,
                                      std::span<const char> data) {
  return sbs::decode_named(kinds, type_name, data);
}

size_t encoded_size(const message& msg) {
  return sbs::measure(msg, put_message{});
}

char* encode_to(char* out, const message& msg) {
  return sbs::write_at(out, msg, put_message{});
}

void append_encoded(std::vector<char>& out, const message& msg) {
  sbs::append_encoded(out, msg, put_message{});
}

}  // namespace hat::observer
