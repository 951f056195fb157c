#include "client/event_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <utility>

#include "protocol/event_type.hpp"
#include "protocol/hex_digit.hpp"
#include "protocol/register_validation.hpp"
#include "protocol/timestamp_conversion.hpp"

namespace hat::client {
namespace {

namespace json = boost::json;

/// What the readers throw inside: the path grows as the error travels out
/// through the nested readers, and the public functions turn it into
/// std::invalid_argument("path: problem").
struct field_error {
  std::string path;
  std::string problem;
};

[[noreturn]] void fail(std::string problem) {
  throw field_error{{}, std::move(problem)};
}

std::string join_path(std::string_view outer, const std::string& inner) {
  if (inner.empty())
    return std::string{outer};
  if (inner.front() == '[')
    return std::string{outer} + inner;
  return std::string{outer} + "." + inner;
}

/// "[i]", the path of an array's element. Appended: GCC 12 at -O3 takes
/// "[" + std::string for an overlapping copy (-Wrestrict).
std::string index_name(size_t i) {
  std::string name = "[";
  name += std::to_string(i);
  name += ']';
  return name;
}

/// Runs a reader for the value at `name`, so its errors carry that name.
template <class Read>
auto in_field(std::string_view name, Read&& read) -> decltype(read()) {
  try {
    return read();
  } catch (field_error& e) {
    e.path = join_path(name, e.path);
    throw;
  }
}

/// The public face of a reader: field_error becomes std::invalid_argument.
template <class Read>
auto public_reader(Read&& read) -> decltype(read()) {
  try {
    return read();
  } catch (const field_error& e) {
    throw std::invalid_argument(e.path.empty() ? e.problem
                                               : e.path + ": " + e.problem);
  }
}

const json::object& object_with(const json::value& v,
                                std::initializer_list<std::string_view> keys) {
  if (!v.is_object())
    fail("expected an object");
  auto& object = v.get_object();
  for (auto& [key, value] : object) {
    bool known = false;
    for (auto k : keys)
      known = known || k == std::string_view{key};
    if (!known)
      throw field_error{std::string{key}, "unknown field"};
  }
  return object;
}

/// The member at `key`, or nullptr when it is absent or null.
const json::value* optional_member(const json::object& object,
                                   std::string_view key) {
  auto* v = object.if_contains(key);
  return v && !v->is_null() ? v : nullptr;
}

const json::value& required_member(const json::object& object,
                                   std::string_view key) {
  auto* v = object.if_contains(key);
  if (!v)
    throw field_error{std::string{key}, "missing"};
  return *v;
}

template <class Read>
auto read_member(const json::object& object, std::string_view key,
                 Read&& read) {
  auto& v = required_member(object, key);
  return in_field(key, [&] { return read(v); });
}

template <class Read>
auto read_optional_member(const json::object& object, std::string_view key,
                          Read&& read) -> std::optional<decltype(read(
                                           std::declval<json::value>()))> {
  auto* v = optional_member(object, key);
  if (!v)
    return std::nullopt;
  return in_field(key, [&] { return read(*v); });
}

int64_t read_integer(const json::value& v) {
  if (v.is_int64())
    return v.get_int64();
  if (v.is_uint64())
    fail("out of the 64-bit integer range");
  fail("expected an integer");
}

std::string read_string(const json::value& v) {
  if (!v.is_string())
    fail("expected a string");
  auto& s = v.get_string();
  return {s.data(), s.size()};
}

timestamp read_timestamp_object(const json::value& v) {
  auto& object = object_with(v, {"s", "us"});
  auto s = read_member(object, "s", read_integer);
  auto us = read_member(object, "us", [](const json::value& v) {
    // What the server stores (1,000,000 and more as sent, as the
    // reference does), no more.
    auto us = read_integer(v);
    if (us < 0 || us > max_stored_microseconds)
      fail("expected an integer in [0, "
           + std::to_string(max_stored_microseconds) + "]");
    return us;
  });
  return {s, us};
}

timestamp read_timestamp(const json::value& v) {
  if (v.is_object())
    return read_timestamp_object(v);
  if (v.is_string()) {
    auto t = timestamp_from_iso8601(v.get_string());
    if (!t)
      fail("expected ISO-8601 text such as 2023-11-14T22:13:20.5Z");
    return *t;
  }
  if (v.is_int64())
    return {v.get_int64(), 0};
  if (v.is_double()) {
    auto t = timestamp_from_float(v.get_double());
    if (!t)
      fail("float seconds out of range");
    return *t;
  }
  fail("expected {\"s\": .., \"us\": ..}, ISO-8601 text or seconds");
}

event_id read_event_id(const json::value& v) {
  auto& object = object_with(v, {"server", "session", "instance"});
  return {read_member(object, "server", read_integer),
          read_member(object, "session", read_integer),
          read_member(object, "instance", read_integer)};
}

event_type read_event_type(const json::value& v) {
  if (!v.is_array())
    fail("expected an array of strings");
  event_type type;
  auto& array = v.get_array();
  for (size_t i = 0; i < array.size(); ++i)
    type.push_back(
      in_field(index_name(i),
               [&] { return read_string(array[i]); }));
  return type;
}

event_type read_registrable_type(const json::value& v) {
  auto type = read_event_type(v);
  if (auto reason = invalid_event_type_reason(type))
    fail(*reason);
  return type;
}

std::string read_hex(const json::value& v) {
  auto text = read_string(v);
  if (text.size() % 2 != 0)
    fail("expected hex text (an odd number of digits)");
  std::string bytes;
  bytes.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    int high = hex_digit_value(text[i]);
    int low = hex_digit_value(text[i + 1]);
    if (high < 0 || low < 0)
      fail("expected hex text");
    bytes.push_back(static_cast<char>(high * 16 + low));
  }
  return bytes;
}

std::string to_hex(std::string_view bytes) {
  constexpr const char* digits = "0123456789abcdef";
  std::string text;
  text.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    text.push_back(digits[c >> 4]);
    text.push_back(digits[c & 0xf]);
  }
  return text;
}

payload_json read_json_payload(const json::object& object) {
  auto* data = object.if_contains("data");
  auto* text = object.if_contains("text");
  if (data && text)
    throw field_error{"text", "not allowed together with data"};
  if (text)
    return {in_field("text", [&] { return read_string(*text); })};
  if (!data)
    throw field_error{"data", "missing"};
  return {json_to_text(*data)};
}

payload_binary read_binary_payload(const json::object& object) {
  payload_binary binary;
  if (auto type = read_optional_member(object, "binary_type", read_string))
    binary.type = *type;
  binary.data = read_member(object, "data", read_hex);
  return binary;
}

event_payload read_payload(const json::value& v) {
  auto& object = object_with(v, {"data_type", "data", "binary_type", "text"});
  auto data_type = read_member(object, "data_type", read_string);
  if (data_type == "json") {
    if (object.contains("binary_type"))
      throw field_error{"binary_type", "only for binary payloads"};
    return read_json_payload(object);
  }
  if (data_type == "binary") {
    if (object.contains("text"))
      throw field_error{"text", "only for json payloads"};
    return read_binary_payload(object);
  }
  throw field_error{"data_type", "expected \"json\" or \"binary\""};
}

event read_event(const json::value& v) {
  auto& object = object_with(
    v, {"id", "type", "timestamp", "source_timestamp", "payload"});
  event e;
  e.id = read_member(object, "id", read_event_id);
  e.type = read_member(object, "type", read_event_type);
  e.timestamp = read_member(object, "timestamp", read_timestamp);
  e.source_timestamp =
    read_optional_member(object, "source_timestamp", read_timestamp);
  e.payload = read_optional_member(object, "payload", read_payload);
  return e;
}

register_event read_register_event(const json::value& v) {
  auto& object = object_with(
    v, {"type", "source_timestamp", "payload", "id", "timestamp"});
  register_event e;
  e.type = read_member(object, "type", read_registrable_type);
  e.source_timestamp =
    read_optional_member(object, "source_timestamp", read_timestamp);
  e.payload = read_optional_member(object, "payload", read_payload);
  return e;
}

std::vector<register_event> read_register_events(const json::value& v) {
  if (v.is_object()) {
    auto& object = object_with(v, {"events", "more_follows"});
    return read_member(object, "events", read_register_events);
  }
  if (!v.is_array())
    fail("expected an array of events");
  std::vector<register_event> events;
  auto& array = v.get_array();
  for (size_t i = 0; i < array.size(); ++i)
    events.push_back(in_field(index_name(i),
                              [&] { return read_register_event(array[i]); }));
  return events;
}

json::value optional_timestamp_to_json(const std::optional<timestamp>& t) {
  return t ? timestamp_to_json(*t) : json::value();
}

json::value optional_payload_to_json(const std::optional<event_payload>& p) {
  return p ? payload_to_json(*p) : json::value();
}

json::array event_type_to_json(const event_type& type) {
  json::array array;
  for (auto& segment : type)
    array.emplace_back(segment);
  return array;
}

/// Whether Python's repr writes the number of this scientific text
/// ("1.5e+16") positionally: for decimal exponents -4 to 15.
bool positional_in_python(std::string_view scientific) {
  auto exponent_text = scientific.substr(scientific.find('e') + 1);
  if (exponent_text.front() == '+')
    exponent_text.remove_prefix(1);
  int exponent = 0;
  std::from_chars(exponent_text.data(),
                  exponent_text.data() + exponent_text.size(), exponent);
  return exponent >= -4 && exponent <= 15;
}

/// Python's repr: the shortest digits that read back the same number, in
/// positional notation for decimal exponents -4..15 (with ".0" when there
/// is no fraction) and in scientific notation ("1e-05", "1e+16") otherwise.
void write_double(std::string& out, double d) {
  // Python would write Infinity, which is not JSON; these read back as
  // infinities in Python and in Boost.
  if (std::isinf(d)) {
    out += d < 0 ? "-1e999" : "1e999";
    return;
  }
  if (std::isnan(d)) {
    out += "null";
    return;
  }
  char buf[64];
  auto sci = std::to_chars(buf, buf + sizeof buf, d,
                           std::chars_format::scientific);
  std::string_view sci_text{buf, static_cast<size_t>(sci.ptr - buf)};
  if (!positional_in_python(sci_text)) {
    out += sci_text;
    return;
  }
  auto fixed = std::to_chars(buf, buf + sizeof buf, d,
                             std::chars_format::fixed);
  std::string_view fixed_text{buf, static_cast<size_t>(fixed.ptr - buf)};
  out += fixed_text;
  if (fixed_text.find('.') == std::string_view::npos)
    out += ".0";
}

void write_json(std::string& out, const json::value& v);

void write_string(std::string& out, json::string_view s) {
  out += json::serialize(s);
}

void write_object(std::string& out, const json::object& object) {
  out += '{';
  bool first = true;
  for (auto& [key, value] : object) {
    if (!first)
      out += ',';
    first = false;
    write_string(out, key);
    out += ':';
    write_json(out, value);
  }
  out += '}';
}

void write_array(std::string& out, const json::array& array) {
  out += '[';
  for (size_t i = 0; i < array.size(); ++i) {
    if (i > 0)
      out += ',';
    write_json(out, array[i]);
  }
  out += ']';
}

void write_json(std::string& out, const json::value& v) {
  switch (v.kind()) {
  case json::kind::object:
    return write_object(out, v.get_object());
  case json::kind::array:
    return write_array(out, v.get_array());
  case json::kind::string:
    return write_string(out, v.get_string());
  case json::kind::double_:
    return write_double(out, v.get_double());
  default:  // null, bool and integers: Boost writes them as Python does
    out += json::serialize(v);
  }
}

}  // namespace

json::value timestamp_to_json(timestamp t) {
  return {{"s", t.s}, {"us", t.us}};
}

timestamp timestamp_from_json(const json::value& v) {
  return public_reader([&] { return read_timestamp(v); });
}

json::value event_id_to_json(const event_id& id) {
  return {{"server", id.server},
          {"session", id.session},
          {"instance", id.instance}};
}

event_id event_id_from_json(const json::value& v) {
  return public_reader([&] { return read_event_id(v); });
}

json::value payload_to_json(const event_payload& payload) {
  if (auto* binary = std::get_if<payload_binary>(&payload))
    return {{"data_type", "binary"},
            {"binary_type", binary->type},
            {"data", to_hex(binary->data)}};
  auto& text = std::get<payload_json>(payload).text;
  try {
    return {{"data_type", "json"}, {"data", json_from_text(text)}};
  } catch (const std::invalid_argument&) {
    return {{"data_type", "json"}, {"text", text}};
  }
}

event_payload payload_from_json(const json::value& v) {
  return public_reader([&] { return read_payload(v); });
}

json::value event_to_json(const event& e) {
  return {{"id", event_id_to_json(e.id)},
          {"type", event_type_to_json(e.type)},
          {"timestamp", timestamp_to_json(e.timestamp)},
          {"source_timestamp", optional_timestamp_to_json(e.source_timestamp)},
          {"payload", optional_payload_to_json(e.payload)}};
}

event event_from_json(const json::value& v) {
  return public_reader([&] { return read_event(v); });
}

json::value register_event_to_json(const register_event& e) {
  return {{"type", event_type_to_json(e.type)},
          {"source_timestamp", optional_timestamp_to_json(e.source_timestamp)},
          {"payload", optional_payload_to_json(e.payload)}};
}

register_event register_event_from_json(const json::value& v) {
  return public_reader([&] { return read_register_event(v); });
}

std::vector<register_event> register_events_from_json(const json::value& v) {
  return public_reader([&] { return read_register_events(v); });
}

json::value query_result_to_json(const query_result& result) {
  json::array events;
  for (auto& e : result.events)
    events.push_back(event_to_json(e));
  return {{"events", std::move(events)},
          {"more_follows", result.more_follows}};
}

json::value json_from_text(std::string_view text) {
  json::parse_options options;
  options.max_depth = 1000;
  boost::system::error_code error;
  auto v = json::parse(text, error, {}, options);
  if (error)
    throw std::invalid_argument("invalid JSON: " + error.message());
  return v;
}

std::string json_to_text(const json::value& v) {
  std::string out;
  write_json(out, v);
  return out;
}

}  // namespace hat::client
