#include "protocol/json_validation.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "protocol/hex_digit.hpp"

namespace hat {

namespace {

/// One pass over the text; the stack of open containers is a bit per
/// level (set: object), so deep nesting costs neither recursion nor heap.
class json_validator {
public:
  explicit json_validator(std::string_view text)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {
  }

  std::optional<std::string> run() {
    if (p_ == end_)
      return std::string{"empty text"};
    if (end_ - p_ >= 3 && static_cast<unsigned char>(p_[0]) == 0xEF
        && static_cast<unsigned char>(p_[1]) == 0xBB
        && static_cast<unsigned char>(p_[2]) == 0xBF)
      return fail("byte order mark");
    skip_whitespace();
    // Alternates between "a value is expected" and "a value has ended".
    while (true) {
      auto got = value();
      if (got == step::failed)
        return error_;
      if (got == step::opened)
        continue;
      while (true) {
        skip_whitespace();
        if (depth_ == 0) {
          if (p_ != end_)
            return fail("data after the JSON value");
          return std::nullopt;
        }
        if (p_ == end_)
          return fail(top_is_object() ? "unterminated object"
                                      : "unterminated array");
        char c = *p_;
        if (c == ',') {
          ++p_;
          skip_whitespace();
          if (top_is_object() && !member_name())
            return error_;
          break;
        }
        if (c == (top_is_object() ? '}' : ']')) {
          ++p_;
          --depth_;
          continue;
        }
        return fail(top_is_object() ? "expected ',' or '}'"
                                    : "expected ',' or ']'");
      }
    }
  }

private:
  static constexpr std::size_t words = (max_json_depth + 63) / 64;

  std::optional<std::string> fail(std::string_view what) {
    error_ = std::string{what} + " at offset "
             + std::to_string(static_cast<std::size_t>(p_ - begin_));
    return error_;
  }

  bool failed(std::string_view what) {
    fail(what);
    return false;
  }

  void skip_whitespace() {
    while (p_ != end_
           && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r'))
      ++p_;
  }

  bool top_is_object() const {
    auto level = depth_ - 1;
    return (open_[level / 64] >> (level % 64)) & 1;
  }

  bool push(bool object) {
    if (depth_ == max_json_depth)
      return failed("nesting deeper than "
                    + std::to_string(max_json_depth));
    auto bit = std::uint64_t{1} << (depth_ % 64);
    if (object)
      open_[depth_ / 64] |= bit;
    else
      open_[depth_ / 64] &= ~bit;
    ++depth_;
    return true;
  }

  /// A string, ':' and whitespace: what precedes a member's value.
  bool member_name() {
    if (p_ == end_ || *p_ != '"')
      return failed("expected a member name");
    if (!string())
      return false;
    skip_whitespace();
    if (p_ == end_ || *p_ != ':')
      return failed("expected ':'");
    ++p_;
    skip_whitespace();
    return true;
  }

  enum class step { failed, complete, opened };

  static step done(bool ok) {
    return ok ? step::complete : step::failed;
  }

  /// One complete value, or the opening of a non-empty container together
  /// with its first member name, if any (then a value is expected next).
  step value() {
    if (p_ == end_)
      return done(failed("expected a value"));
    switch (*p_) {
      case '{':
      case '[': {
        bool object = *p_ == '{';
        if (!push(object))
          return step::failed;
        ++p_;
        skip_whitespace();
        if (p_ != end_ && *p_ == (object ? '}' : ']')) {
          ++p_;
          --depth_;
          return step::complete;
        }
        if (object && !member_name())
          return step::failed;
        return step::opened;
      }
      case '"':
        return done(string());
      case 't':
        return done(literal("true"));
      case 'f':
        return done(literal("false"));
      case 'n':
        return done(literal("null"));
      default:
        if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9'))
          return done(number());
        return done(failed("expected a value"));
    }
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size()
        || std::string_view{p_, word.size()} != word)
      return failed("expected a value");
    p_ += word.size();
    return true;
  }

  static bool is_digit(char c) {
    return c >= '0' && c <= '9';
  }

  bool number() {
    const char* start = p_;
    // Decimal position of the first non-zero digit relative to the units
    // digit, to tell an overflow from an underflow.
    std::int64_t magnitude = 0;
    bool nonzero = false;
    if (*p_ == '-')
      ++p_;
    if (p_ == end_ || !is_digit(*p_))
      return failed("expected a digit");
    if (*p_ == '0') {
      ++p_;
      if (p_ != end_ && is_digit(*p_))
        return failed("leading zero in a number");
    } else {
      const char* first = p_;
      while (p_ != end_ && is_digit(*p_))
        ++p_;
      nonzero = true;
      magnitude = p_ - first - 1;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !is_digit(*p_))
        return failed("expected a digit after '.'");
      const char* first = p_;
      for (; p_ != end_ && is_digit(*p_); ++p_)
        if (!nonzero && *p_ != '0') {
          nonzero = true;
          magnitude = -(p_ - first) - 1;
        }
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      bool negative = false;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-'))
        negative = *p_++ == '-';
      if (p_ == end_ || !is_digit(*p_))
        return failed("expected a digit in the exponent");
      // Saturates far beyond any double's exponent.
      std::int64_t exponent = 0;
      for (; p_ != end_ && is_digit(*p_); ++p_)
        if (exponent < 1'000'000'000)
          exponent = exponent * 10 + (*p_ - '0');
      magnitude += negative ? -exponent : exponent;
    }
    // Zero and anything below 1e308 fit (underflow rounds to zero, as any
    // JSON reader does); from 1e309 on nothing does; in between the
    // correctly rounded conversion decides.
    if (!nonzero || magnitude < 308)
      return true;
    bool overflow = magnitude > 308;
    if (!overflow) {
      double value = 0;
      auto [ptr, ec] = std::from_chars(start, p_, value);
      overflow = ptr != p_ || ec == std::errc::result_out_of_range
                 || std::isinf(value);
    }
    if (overflow) {
      p_ = start;
      return failed("number out of the range of a double");
    }
    return true;
  }

  /// The four hex digits after "\u", with p_ on the 'u'.
  bool unicode_escape(unsigned& code) {
    if (end_ - p_ < 5)
      return failed("incomplete \\u escape");
    code = 0;
    for (int i = 1; i <= 4; ++i) {
      int digit = hex_digit_value(p_[i]);
      if (digit < 0)
        return failed("invalid \\u escape");
      code = code * 16 + static_cast<unsigned>(digit);
    }
    p_ += 5;
    return true;
  }

  bool escape() {
    // p_ is on the character after the backslash.
    if (p_ == end_)
      return failed("unterminated string");
    switch (*p_) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        ++p_;
        return true;
      case 'u':
        break;
      default:
        return failed("invalid escape");
    }
    const char* at = p_;
    unsigned code = 0;
    if (!unicode_escape(code))
      return false;
    if (code >= 0xDC00 && code <= 0xDFFF) {
      p_ = at;
      return failed("lone low surrogate escape");
    }
    if (code < 0xD800 || code > 0xDBFF)
      return true;
    if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') {
      p_ = at;
      return failed("lone high surrogate escape");
    }
    ++p_;
    unsigned low = 0;
    if (!unicode_escape(low))
      return false;
    if (low < 0xDC00 || low > 0xDFFF) {
      p_ = at;
      return failed("lone high surrogate escape");
    }
    return true;
  }

  /// Whether the bytes at p_ are one UTF-8 sequence RFC 3629 allows.
  bool utf8_sequence() {
    auto byte = [this](std::ptrdiff_t i) {
      return static_cast<unsigned char>(p_[i]);
    };
    unsigned char lead = byte(0);
    int length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0)
        low = 0xA0;  // overlong
      else if (lead == 0xED)
        high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0)
        low = 0x90;  // overlong
      else if (lead == 0xF4)
        high = 0x8F;  // above U+10FFFF
    } else {
      return failed("invalid UTF-8");
    }
    if (end_ - p_ < length || byte(1) < low || byte(1) > high)
      return failed("invalid UTF-8");
    for (int i = 2; i < length; ++i)
      if (byte(i) < 0x80 || byte(i) > 0xBF)
        return failed("invalid UTF-8");
    p_ += length;
    return true;
  }

  bool string() {
    const char* start = p_;
    ++p_;
    while (true) {
      if (p_ == end_) {
        p_ = start;
        return failed("unterminated string");
      }
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c == '\\') {
        ++p_;
        if (!escape())
          return false;
      } else if (c < 0x20) {
        return failed("control character in a string");
      } else if (c < 0x80) {
        ++p_;
      } else if (!utf8_sequence()) {
        return false;
      }
    }
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  std::size_t depth_ = 0;
  std::array<std::uint64_t, words> open_{};
  std::optional<std::string> error_;
};

}  // namespace

std::optional<std::string> json_text_error(std::string_view text) {
  return json_validator{text}.run();
}

}  // namespace hat
