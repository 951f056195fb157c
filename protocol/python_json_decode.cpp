#include "protocol/python_json.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "protocol/hex_digit.hpp"
#include "protocol/utf8.hpp"

// Follows the order in which CPython's json scanner (the C one, which
// json.loads uses) checks things, so that a text with several faults is
// refused for the same one, at the same place.

namespace hat::python_json {

namespace {

namespace json = boost::json;

bool is_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

void append_utf8(json::string& out, char32_t cp) {
  char bytes[4];
  size_t n = 0;
  if (cp < 0x80) {
    bytes[n++] = static_cast<char>(cp);
  } else if (cp < 0x800) {
    bytes[n++] = static_cast<char>(0xc0 | (cp >> 6));
    bytes[n++] = static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    bytes[n++] = static_cast<char>(0xe0 | (cp >> 12));
    bytes[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    bytes[n++] = static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    bytes[n++] = static_cast<char>(0xf0 | (cp >> 18));
    bytes[n++] = static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    bytes[n++] = static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    bytes[n++] = static_cast<char>(0x80 | (cp & 0x3f));
  }
  out.append(std::string_view{bytes, n});
}

/// A recursive-descent reader; the first error is kept and ends the read.
class scanner {
public:
  explicit scanner(std::string_view text) : text_(text) {
  }

  std::variant<json::value, syntax_error> run() {
    // Python reads a str: bytes that are no UTF-8 never get this far.
    if (!is_valid_utf8(text_.data(), text_.size()))
      return syntax_error{"not UTF-8 text"};
    if (text_.starts_with("\xEF\xBB\xBF"))
      return error_at("Unexpected UTF-8 BOM (decode using utf-8-sig)", 0);
    skip_whitespace();
    auto value = read_value(0);
    if (!value)
      return take_error();
    skip_whitespace();
    if (pos_ != text_.size())
      return error_at("Extra data", pos_);
    return std::move(*value);
  }

private:
  /// Python's JSONDecodeError text for `message` at byte `offset`.
  syntax_error error_at(std::string_view message, size_t offset) const {
    size_t line = 1;
    size_t chars = 0;
    size_t line_start_chars = 0;
    for (size_t i = 0; i < offset && i < text_.size(); ++i) {
      // Characters, not bytes: continuation bytes do not count.
      if ((static_cast<unsigned char>(text_[i]) & 0xc0) == 0x80)
        continue;
      ++chars;
      if (text_[i] == '\n') {
        ++line;
        line_start_chars = chars;
      }
    }
    return {std::string{message} + ": line " + std::to_string(line)
            + " column " + std::to_string(chars - line_start_chars + 1)
            + " (char " + std::to_string(chars) + ")"};
  }

  std::nullopt_t fail(std::string_view message, size_t offset) {
    if (!error_)
      error_ = error_at(message, offset);
    return std::nullopt;
  }

  syntax_error take_error() {
    return error_ ? std::move(*error_) : error_at("Expecting value", pos_);
  }

  void skip_whitespace() {
    while (pos_ < text_.size() && is_whitespace(text_[pos_]))
      ++pos_;
  }

  bool at(char c) const {
    return pos_ < text_.size() && text_[pos_] == c;
  }

  bool take_literal(std::string_view word) {
    if (text_.substr(pos_).starts_with(word)) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  std::optional<json::value> read_value(size_t depth) {
    if (pos_ >= text_.size())
      return fail("Expecting value", pos_);
    switch (text_[pos_]) {
      case '"':
        if (auto s = read_string())
          return json::value(std::move(*s));
        return std::nullopt;
      case '{':
        return read_object(depth + 1);
      case '[':
        return read_array(depth + 1);
      case 'n':
        if (take_literal("null"))
          return json::value{};
        break;
      case 't':
        if (take_literal("true"))
          return json::value(true);
        break;
      case 'f':
        if (take_literal("false"))
          return json::value(false);
        break;
      case 'N':
      case 'I':
        if (text_.substr(pos_).starts_with("NaN")
            || text_.substr(pos_).starts_with("Infinity"))
          return not_representable();
        break;
      case '-':
        if (text_.substr(pos_).starts_with("-Infinity"))
          return not_representable();
        break;
      default:
        break;
    }
    return read_number();
  }

  std::nullopt_t not_representable() {
    return fail("NaN and infinities are not accepted", pos_);
  }

  std::optional<json::value> read_number() {
    size_t start = pos_;
    size_t i = pos_;
    auto digit_at = [&](size_t k) {
      return k < text_.size() && is_digit(text_[k]);
    };
    if (i < text_.size() && text_[i] == '-')
      ++i;
    if (digit_at(i) && text_[i] != '0') {
      while (digit_at(i))
        ++i;
    } else if (i < text_.size() && text_[i] == '0') {
      ++i;
    } else {
      return fail("Expecting value", start);
    }
    bool is_float = false;
    if (i + 1 < text_.size() && text_[i] == '.' && digit_at(i + 1)) {
      is_float = true;
      i += 2;
      while (digit_at(i))
        ++i;
    }
    if (i < text_.size() && (text_[i] == 'e' || text_[i] == 'E')) {
      // An exponent without digits is not part of the number.
      size_t e = i + 1;
      if (e < text_.size() && (text_[e] == '+' || text_[e] == '-'))
        ++e;
      if (digit_at(e)) {
        is_float = true;
        while (digit_at(e))
          ++e;
        i = e;
      }
    }
    pos_ = i;
    auto number = text_.substr(start, i - start);
    const char* first = number.data();
    const char* last = first + number.size();
    if (!is_float) {
      int64_t signed_value = 0;
      if (std::from_chars(first, last, signed_value).ec == std::errc{})
        return json::value(signed_value);
      uint64_t unsigned_value = 0;
      if (std::from_chars(first, last, unsigned_value).ec == std::errc{})
        return json::value(unsigned_value);
    }
    // Correctly rounded, as Python's float(); overflow gives infinity.
    std::string copy{number};
    double value = std::strtod(copy.c_str(), nullptr);
    if (std::isinf(value))
      return fail("number out of range", start);
    return json::value(value);
  }

  /// Four hex digits at `at`, or -1.
  int hex4(size_t at) const {
    if (at + 4 > text_.size())
      return -1;
    int value = 0;
    for (size_t k = 0; k < 4; ++k) {
      int digit = hex_digit_value(text_[at + k]);
      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
    return value;
  }

  std::optional<json::string> read_string() {
    size_t begin = pos_++;
    json::string out;
    for (;;) {
      size_t run = pos_;
      while (pos_ < text_.size() && text_[pos_] != '"' && text_[pos_] != '\\'
             && static_cast<unsigned char>(text_[pos_]) >= 0x20)
        ++pos_;
      out.append(text_.substr(run, pos_ - run));
      if (pos_ >= text_.size())
        return fail("Unterminated string starting at", begin);
      char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c != '\\')
        return fail("Invalid control character at", pos_);
      if (pos_ + 1 >= text_.size())
        return fail("Unterminated string starting at", begin);
      char escape = text_[pos_ + 1];
      if (escape != 'u') {
        static constexpr std::string_view from = "\"\\/bfnrt";
        static constexpr std::string_view to = "\"\\/\b\f\n\r\t";
        auto k = from.find(escape);
        if (k == std::string_view::npos)
          return fail("Invalid \\escape", pos_);
        out.push_back(to[k]);
        pos_ += 2;
        continue;
      }
      if (!read_unicode_escape(out))
        return std::nullopt;
    }
  }

  /// \uXXXX at pos_ (a surrogate pair when one follows); false on error.
  bool read_unicode_escape(json::string& out) {
    size_t u = pos_ + 1;
    int unit = hex4(u + 1);
    if (unit < 0) {
      fail("Invalid \\uXXXX escape", u);
      return false;
    }
    pos_ = u + 5;
    char32_t cp = static_cast<char32_t>(unit);
    if (cp >= 0xd800 && cp <= 0xdbff && text_.substr(pos_).starts_with("\\u")) {
      int low = hex4(pos_ + 2);
      if (low < 0) {
        fail("Invalid \\uXXXX escape", pos_ + 1);
        return false;
      }
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (static_cast<char32_t>(low)
                                                 - 0xdc00);
        pos_ += 6;
      }
    }
    // Python keeps a lone surrogate in its str; UTF-8 has no place for it.
    if (cp >= 0xd800 && cp <= 0xdfff) {
      fail("lone surrogate in \\uXXXX escape", u);
      return false;
    }
    append_utf8(out, cp);
    return true;
  }

  std::optional<json::value> read_object(size_t depth) {
    if (depth > max_depth)
      return fail("maximum recursion depth exceeded while decoding a JSON "
                  "object from a unicode string", pos_);
    ++pos_;
    json::object object;
    skip_whitespace();
    if (at('}')) {
      ++pos_;
      return json::value(std::move(object));
    }
    for (;;) {
      if (!at('"'))
        return fail("Expecting property name enclosed in double quotes",
                    pos_);
      auto key = read_string();
      if (!key)
        return std::nullopt;
      skip_whitespace();
      if (!at(':'))
        return fail("Expecting ':' delimiter", pos_);
      ++pos_;
      skip_whitespace();
      auto value = read_value(depth);
      if (!value)
        return std::nullopt;
      // As a Python dict: a repeated key keeps its first place, the last
      // value.
      object[*key] = std::move(*value);
      skip_whitespace();
      if (at('}')) {
        ++pos_;
        return json::value(std::move(object));
      }
      if (!at(','))
        return fail("Expecting ',' delimiter", pos_);
      ++pos_;
      skip_whitespace();
    }
  }

  std::optional<json::value> read_array(size_t depth) {
    if (depth > max_depth)
      return fail("maximum recursion depth exceeded while decoding a JSON "
                  "array from a unicode string", pos_);
    ++pos_;
    json::array array;
    skip_whitespace();
    if (at(']')) {
      ++pos_;
      return json::value(std::move(array));
    }
    for (;;) {
      auto value = read_value(depth);
      if (!value)
        return std::nullopt;
      array.push_back(std::move(*value));
      skip_whitespace();
      if (at(']')) {
        ++pos_;
        return json::value(std::move(array));
      }
      if (!at(','))
        return fail("Expecting ',' delimiter", pos_);
      ++pos_;
      skip_whitespace();
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::optional<syntax_error> error_;
};

}  // namespace

std::variant<json::value, syntax_error> decode(std::string_view text) {
  return scanner{text}.run();
}

}  // namespace hat::python_json
