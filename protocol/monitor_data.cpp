#include "protocol/monitor_data.hpp"

#include <cstdio>

namespace hat::observer {

namespace {

void append_u_escape(std::string& out, uint32_t unit) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", unit);
  out += buf;
}

/// The code point at `text[i]` (valid UTF-8); advances `i` past it.
uint32_t next_code_point(std::string_view text, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  uint32_t first = byte(i);
  if (first < 0x80) {
    i += 1;
    return first;
  }
  size_t length = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : 2;
  uint32_t cp = first & (0x7F >> length);
  for (size_t k = 1; k < length && i + k < text.size(); ++k)
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  i += length;
  return cp;
}

}  // namespace

std::string python_json_string(std::string_view utf8) {
  std::string out = "\"";
  for (size_t i = 0; i < utf8.size();) {
    auto cp = next_code_point(utf8, i);
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (cp >= 0x20 && cp < 0x7F) {
      out += static_cast<char>(cp);
    } else if (cp <= 0xFFFF) {
      // Control characters, DEL and the rest of the BMP.
      append_u_escape(out, cp);
    } else {
      cp -= 0x10000;
      append_u_escape(out, 0xD800 + (cp >> 10));
      append_u_escape(out, 0xDC00 + (cp & 0x3FF));
    }
  }
  out += '"';
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
