#include "config/python_text.hpp"

#include <boost/json.hpp>

#include <cstdio>

#include "protocol/python_json.hpp"
#include "protocol/utf8.hpp"

namespace hat::config::python {

namespace {

namespace json = boost::json;

bool printable_beyond_ascii(char32_t cp) {
  return !(cp <= 0xa0 || cp == 0xad || (cp >= 0x2000 && cp <= 0x200f)
           || (cp >= 0x2028 && cp <= 0x202f) || (cp >= 0x205f && cp <= 0x206f)
           || cp == 0x3000 || cp == 0xfeff);
}

void append_escape(std::string& out, char32_t cp) {
  char buf[12];
  if (cp < 0x100)
    std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
  else if (cp < 0x10000)
    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
  else
    std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(cp));
  out += buf;
}

}  // namespace

std::string repr(std::string_view text) {
  // Single quotes unless the text has one and no double quote.
  char quote = text.find('\'') != std::string_view::npos
                   && text.find('"') == std::string_view::npos
                 ? '"'
                 : '\'';
  std::string out(1, quote);
  while (!text.empty()) {
    auto rest = text;
    char32_t cp = next_code_point(rest);
    size_t length = text.size() - rest.size();
    if (cp == static_cast<char32_t>(quote) || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 || cp == 0x7f
               || (cp >= 0x80 && !printable_beyond_ascii(cp))) {
      append_escape(out, cp);
    } else {
      out.append(text.substr(0, length));
    }
    text.remove_prefix(length);
  }
  out += quote;
  return out;
}

std::string repr(const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      return "None";
    case json::kind::bool_:
      return value.get_bool() ? "True" : "False";
    case json::kind::int64:
      return std::to_string(value.get_int64());
    case json::kind::uint64:
      return std::to_string(value.get_uint64());
    case json::kind::double_: {
      std::string out;
      python_json::append_float(out, value.get_double());
      return out;
    }
    case json::kind::string:
      return repr(std::string_view{value.get_string()});
    case json::kind::array: {
      std::string out = "[";
      for (const auto& item : value.get_array())
        out += (out.size() > 1 ? ", " : "") + repr(item);
      return out + "]";
    }
    case json::kind::object: {
      std::string out = "{";
      for (const auto& [key, item] : value.get_object())
        out += (out.size() > 1 ? ", " : "") + repr(std::string_view{key})
               + ": " + repr(item);
      return out + "}";
    }
  }
  return "?";
}

std::string str(const json::value& value) {
  if (value.is_string())
    return std::string{value.get_string()};
  return repr(value);
}

std::string_view type_name(const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      return "NoneType";
    case json::kind::bool_:
      return "bool";
    case json::kind::int64:
    case json::kind::uint64:
      return "int";
    case json::kind::double_:
      return "float";
    case json::kind::string:
      return "str";
    case json::kind::array:
      return "list";
    case json::kind::object:
      return "dict";
  }
  return "object";
}

bool truthy(const json::value& value) {
  switch (value.kind()) {
    case json::kind::null:
      return false;
    case json::kind::bool_:
      return value.get_bool();
    case json::kind::int64:
      return value.get_int64() != 0;
    case json::kind::uint64:
      return value.get_uint64() != 0;
    case json::kind::double_:
      return value.get_double() != 0;
    case json::kind::string:
      return !value.get_string().empty();
    case json::kind::array:
      return !value.get_array().empty();
    case json::kind::object:
      return !value.get_object().empty();
  }
  return false;
}

}  // namespace hat::config::python
