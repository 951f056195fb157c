#include "protocol/python_json.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include <boost/json.hpp>

#include "protocol/utf8.hpp"

namespace hat::python_json {

namespace {

void append_u_escape(std::string& out, unsigned unit) {
  static constexpr char hex[] = "0123456789abcdef";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4)
    out += hex[(unit >> shift) & 0xf];
}

/// False when `value` holds something json.dumps would refuse.
bool append_value(std::string& out, const boost::json::value& value) {
  switch (value.kind()) {
  case boost::json::kind::null:
    out += "null";
    return true;
  case boost::json::kind::bool_:
    out += value.get_bool() ? "true" : "false";
    return true;
  case boost::json::kind::int64:
    out += std::to_string(value.get_int64());
    return true;
  case boost::json::kind::uint64:
    out += std::to_string(value.get_uint64());
    return true;
  case boost::json::kind::double_:
    if (!std::isfinite(value.get_double()))
      return false;
    append_float(out, value.get_double());
    return true;
  case boost::json::kind::string: {
    const auto& s = value.get_string();
    if (!is_valid_utf8(s.data(), s.size()))
      return false;
    append_string(out, s);
    return true;
  }
  case boost::json::kind::array: {
    out += '[';
    bool first = true;
    for (const auto& item : value.get_array()) {
      if (!first)
        out += ", ";
      first = false;
      if (!append_value(out, item))
        return false;
    }
    out += ']';
    return true;
  }
  case boost::json::kind::object: {
    out += '{';
    bool first = true;
    for (const auto& member : value.get_object()) {
      if (!first)
        out += ", ";
      first = false;
      if (!is_valid_utf8(member.key().data(), member.key().size()))
        return false;
      append_string(out, member.key());
      out += ": ";
      if (!append_value(out, member.value()))
        return false;
    }
    out += '}';
    return true;
  }
  }
  return false;
}

}  // namespace

void append_string(std::string& out, std::string_view text) {
  out += '"';
  while (!text.empty()) {
    char32_t cp = hat::next_code_point(text);
    switch (cp) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    default:
      if (cp >= 0x20 && cp <= 0x7e) {
        out += static_cast<char>(cp);
      } else if (cp < 0x10000) {
        append_u_escape(out, cp);
      } else {
        char32_t v = cp - 0x10000;
        append_u_escape(out, 0xd800 | (v >> 10));
        append_u_escape(out, 0xdc00 | (v & 0x3ff));
      }
    }
  }
  out += '"';
}

void append_float(std::string& out, double value) {
  char buf[64];
  auto res =
    std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos))
    if (c != '.')
      digits += c;
  int exponent = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
  // Python's decpt: the value is 0.<digits> * 10^decpt.
  int decpt = exponent + 1;
  int n = static_cast<int>(digits.size());
  if (decpt <= -4 || decpt > 16) {
    out += digits[0];
    if (n > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += exponent < 0 ? "e-" : "e+";
    int magnitude = std::abs(exponent);
    if (magnitude < 10)
      out += '0';
    out += std::to_string(magnitude);
  } else if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-decpt), '0');
    out += digits;
  } else if (decpt >= n) {
    out += digits;
    out.append(static_cast<size_t>(decpt - n), '0');
    out += ".0";
  } else {
    out.append(digits, 0, static_cast<size_t>(decpt));
    out += '.';
    out.append(digits, static_cast<size_t>(decpt));
  }
}

std::optional<std::string> encode(const boost::json::value& value) {
  std::string out;
  if (!append_value(out, value))
    return std::nullopt;
  return out;
}

}  // namespace hat::python_json
