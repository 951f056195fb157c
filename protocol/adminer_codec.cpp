#include "protocol/adminer_codec.hpp"

#include "protocol/sbs_message_table.hpp"

namespace hat::adminer {

namespace {

using sbs::reader;

/// Choice { success: ..., error: String }: index 0 and the success value,
/// or index 1 and the text.
template <class S, class PutSuccess>
void put_response(S& s, const std::optional<std::string>& error,
                  PutSuccess&& put_success) {
  if (error) {
    sbs::put_count(s, 1);
    sbs::put_string(s, *error);
  } else {
    sbs::put_count(s, 0);
    put_success(s);
  }
}

template <class S>
void put(S&, const msg_get_log_conf_req&) {
}

template <class S>
void put(S& s, const msg_get_log_conf_res& m) {
  put_response(s, m.error, [&](S& sink) { sbs::put_string(sink, m.conf); });
}

template <class S>
void put(S& s, const msg_set_log_conf_req& m) {
  sbs::put_string(s, m.conf);
}

template <class S>
void put(S& s, const msg_set_log_conf_res& m) {
  put_response(s, m.error, [](S&) {});
}

template <class S>
void put(S& s, const message& m) {
  std::visit([&](auto& msg) { put(s, msg); }, m);
}

message get_get_req(reader&) {
  return msg_get_log_conf_req{};
}

message get_get_res(reader& r) {
  msg_get_log_conf_res m;
  if (r.get_choice(2) == 1)
    m.error = r.get_string();
  else
    m.conf = r.get_string();
  return m;
}

message get_set_req(reader& r) {
  return msg_set_log_conf_req{std::string{r.get_string()}};
}

message get_set_res(reader& r) {
  msg_set_log_conf_res m;
  if (r.get_choice(2) == 1)
    m.error = r.get_string();
  return m;
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
  {"HatEventAdminer.MsgGetLogConfReq", get_get_req},
  {"HatEventAdminer.MsgGetLogConfRes", get_get_res},
  {"HatEventAdminer.MsgSetLogConfReq", get_set_req},
  {"HatEventAdminer.MsgSetLogConfRes", get_set_res},
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

}  // namespace hat::adminer
