// JSON read and written as Python's json module does: the texts json.loads
// refuses and its messages (checked against CPython 3.11), and json.dumps'
// text of what it accepts.

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "protocol/python_json.hpp"

namespace json = boost::json;
using namespace hat;

namespace {

/// The error text decode() gives, or "" when it accepts `text`.
std::string error_of(std::string_view text) {
  auto result = python_json::decode(text);
  if (auto* error = std::get_if<python_json::syntax_error>(&result))
    return error->text;
  return "";
}

/// json.dumps(json.loads(text)).
std::string round_trip(std::string_view text) {
  auto result = python_json::decode(text);
  auto* value = std::get_if<json::value>(&result);
  REQUIRE(value != nullptr);
  auto encoded = python_json::encode(*value);
  REQUIRE(encoded.has_value());
  return *encoded;
}

}  // namespace

TEST_CASE("python_json::decode: json.loads' error texts") {
  struct refusal {
    std::string text;
    std::string error;
  };
  const std::vector<refusal> cases = {
    {"", "Expecting value: line 1 column 1 (char 0)"},
    {"  ", "Expecting value: line 1 column 3 (char 2)"},
    {"x", "Expecting value: line 1 column 1 (char 0)"},
    {"nul", "Expecting value: line 1 column 1 (char 0)"},
    {"-", "Expecting value: line 1 column 1 (char 0)"},
    {".5", "Expecting value: line 1 column 1 (char 0)"},
    {"+1", "Expecting value: line 1 column 1 (char 0)"},
    {"\n\n  x", "Expecting value: line 3 column 3 (char 4)"},
    {"\r\nx", "Expecting value: line 2 column 1 (char 2)"},
    {"{", "Expecting property name enclosed in double quotes: line 1 "
          "column 2 (char 1)"},
    {"{1:2}", "Expecting property name enclosed in double quotes: line 1 "
              "column 2 (char 1)"},
    {"{\"a\": 1, }", "Expecting property name enclosed in double quotes: "
                     "line 1 column 10 (char 9)"},
    {"{\"a\"", "Expecting ':' delimiter: line 1 column 5 (char 4)"},
    {"{\"a\" 1}", "Expecting ':' delimiter: line 1 column 6 (char 5)"},
    {"{\"a\":", "Expecting value: line 1 column 6 (char 5)"},
    {"{\"a\":1", "Expecting ',' delimiter: line 1 column 7 (char 6)"},
    {"{\"a\":1 \"b\"}", "Expecting ',' delimiter: line 1 column 8 (char 7)"},
    {"{\"a\":[}", "Expecting value: line 1 column 7 (char 6)"},
    {"[", "Expecting value: line 1 column 2 (char 1)"},
    {"[1", "Expecting ',' delimiter: line 1 column 3 (char 2)"},
    {"[1,]", "Expecting value: line 1 column 4 (char 3)"},
    {"[1 2]", "Expecting ',' delimiter: line 1 column 4 (char 3)"},
    {"[1}", "Expecting ',' delimiter: line 1 column 3 (char 2)"},
    {"[1,\n2,\nx]", "Expecting value: line 3 column 1 (char 7)"},
    {"\"abc", "Unterminated string starting at: line 1 column 1 (char 0)"},
    {"\"\\", "Unterminated string starting at: line 1 column 1 (char 0)"},
    {"\"ab\\q\"", "Invalid \\escape: line 1 column 4 (char 3)"},
    {"\"\\u12\"", "Invalid \\uXXXX escape: line 1 column 3 (char 2)"},
    {"\"\\u\"", "Invalid \\uXXXX escape: line 1 column 3 (char 2)"},
    {"\"ab\\u12g4\"", "Invalid \\uXXXX escape: line 1 column 5 (char 4)"},
    {"\"ab\\ud83d\\u12\"",
     "Invalid \\uXXXX escape: line 1 column 11 (char 10)"},
    {"\"\\ud83d\\ude0\"", "Invalid \\uXXXX escape: line 1 column 9 (char 8)"},
    {"\"a\x01\"", "Invalid control character at: line 1 column 3 (char 2)"},
    {"\"\t\"", "Invalid control character at: line 1 column 2 (char 1)"},
    {"01", "Extra data: line 1 column 2 (char 1)"},
    {"-01", "Extra data: line 1 column 3 (char 2)"},
    {"1.", "Extra data: line 1 column 2 (char 1)"},
    {"1.5e+3x", "Extra data: line 1 column 7 (char 6)"},
    {"true false", "Extra data: line 1 column 6 (char 5)"},
    {"[] ,", "Extra data: line 1 column 4 (char 3)"},
    {"{\"version\": 1} x", "Extra data: line 1 column 16 (char 15)"},
    {"{\"a\":1}\n\n x", "Extra data: line 3 column 2 (char 10)"},
    {"\xEF\xBB\xBF{}", "Unexpected UTF-8 BOM (decode using utf-8-sig): "
                       "line 1 column 1 (char 0)"},
    {" \xEF\xBB\xBF" "1", "Expecting value: line 1 column 2 (char 1)"},
  };
  for (const auto& [text, error] : cases) {
    CAPTURE(text);
    CHECK(error_of(text) == error);
  }
}

TEST_CASE("python_json::decode: positions count characters, not bytes") {
  // "é" is two bytes of UTF-8 and one character of a Python str.
  CHECK(error_of("{\"\xc3\xa9\": x}")
        == "Expecting value: line 1 column 7 (char 6)");
  CHECK(error_of("\"\xc3\xa9\\q\"")
        == "Invalid \\escape: line 1 column 3 (char 2)");
}

TEST_CASE("python_json::decode: what a Python value has and ours cannot") {
  CHECK(error_of("NaN")
        == "NaN and infinities are not accepted: line 1 column 1 (char 0)");
  CHECK(error_of("[1, -Infinity]")
        == "NaN and infinities are not accepted: line 1 column 5 (char 4)");
  // Python's str is text: bytes that are no UTF-8 are refused first.
  CHECK(error_of("{\"a\": \"\xe6\x24\x87\"}") == "not UTF-8 text");
  CHECK(error_of("\xff") == "not UTF-8 text");
  CHECK(error_of("1e400")
        == "number out of range: line 1 column 1 (char 0)");
  CHECK(error_of("\"\\ud800\"")
        == "lone surrogate in \\uXXXX escape: line 1 column 3 (char 2)");
  // Nesting beyond Python's recursion limit is refused, not a stack
  // overflow.
  std::string deep(python_json::max_depth + 1, '[');
  CHECK(error_of(deep)
        == "maximum recursion depth exceeded while decoding a JSON array "
           "from a unicode string: line 1 column "
           + std::to_string(python_json::max_depth + 1) + " (char "
           + std::to_string(python_json::max_depth) + ")");
  std::string nested = std::string(python_json::max_depth, '[')
                       + std::string(python_json::max_depth, ']');
  CHECK(error_of(nested).empty());
}

TEST_CASE("python_json: what json.loads accepts, as json.dumps writes it") {
  CHECK(round_trip("{\"version\":1}") == "{\"version\": 1}");
  CHECK(round_trip(" {\"a\" : [1,2.5,true,false,null,\"x\"]}\n")
        == "{\"a\": [1, 2.5, true, false, null, \"x\"]}");
  // A repeated key keeps its first place and its last value.
  CHECK(round_trip("{\"a\":1,\"b\":2,\"a\":3}") == "{\"a\": 3, \"b\": 2}");
  CHECK(round_trip("\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"")
        == "\"/\\b\\f\\n\\r\\t\\\"\\\\\"");
  CHECK(round_trip("\"\\uD83D\\uDE00 \xc5\xa1\"")
        == "\"\\ud83d\\ude00 \\u0161\"");
  CHECK(round_trip("[-0, -0.0, 1E5, 1.0e1, 1e-400]")
        == "[0, -0.0, 100000.0, 10.0, 0.0]");
  CHECK(round_trip("[9223372036854775807, 18446744073709551615, "
                   "-9223372036854775808]")
        == "[9223372036854775807, 18446744073709551615, "
           "-9223372036854775808]");
  CHECK(round_trip("\"\x7f\"") == "\"\\u007f\"");
}
