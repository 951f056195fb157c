#include "storage/lmdb/convert/event_upgrade.hpp"

#include <charconv>
#include <cstdint>
#include <utility>

#include "storage/lmdb/json_text.hpp"

namespace hat::storage::lmdb::convert {

namespace {

bool is_number_char(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
         c == 'e' || c == 'E';
}

/// True when the number token `token` is an integer (no fraction, no
/// exponent) that neither int64 nor uint64 holds.
bool is_wide_integer(std::string_view token) {
  if (token.find_first_of(".eE") != std::string_view::npos)
    return false;
  const char* end = token.data() + token.size();
  if (token.front() == '-') {
    int64_t value = 0;
    return std::from_chars(token.data(), end, value).ec ==
           std::errc::result_out_of_range;
  }
  uint64_t value = 0;
  return std::from_chars(token.data(), end, value).ec ==
         std::errc::result_out_of_range;
}

/// Scans JSON text (already known to parse) for a wide integer outside
/// strings.
bool has_wide_integer(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {
      // Skip the string; an escape takes the character after the '\'.
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
      ++i;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t start = i;
      while (i < text.size() && is_number_char(text[i]))
        ++i;
      if (is_wide_integer(text.substr(start, i - start)))
        return true;
    } else {
      ++i;
    }
  }
  return false;
}

using payload_result = format::format_result<event_payload>;

struct payload_upgrade {
  payload_result operator()(const legacy_binary& old) const {
    return event_payload{payload_binary{"", old.data}};
  }

  payload_result operator()(const legacy_json& old) const {
    auto text = reencode_json_payload(old.text);
    if (!text)
      return text.error();
    return event_payload{payload_json{std::move(*text)}};
  }

  payload_result operator()(const legacy_sbs& old) const {
    std::string type = old.module ? *old.module + "." + old.type : old.type;
    return event_payload{payload_binary{std::move(type), old.data}};
  }
};

}  // namespace

format::format_result<std::string> reencode_json_payload(
  std::string_view text) {
  auto value = format::decode_json(text);
  if (!value)
    return value.error();
  if (has_wide_integer(text))
    return std::string(text);
  return format::encode_json(*value);
}

format::format_result<event> upgrade_event(const legacy_event& old) {
  event e;
  e.id = old.id;
  e.type = old.type;
  e.timestamp = old.timestamp;
  e.source_timestamp = old.source_timestamp;
  if (old.payload) {
    auto payload = std::visit(payload_upgrade{}, *old.payload);
    if (!payload)
      return payload.error();
    e.payload = std::move(*payload);
  }
  return e;
}

}  // namespace hat::storage::lmdb::convert
