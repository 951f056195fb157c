// Strict JSON payload validation: RFC 8259 and its corner cases.

#include <doctest/doctest.h>

#include <string>

#include "protocol/json_validation.hpp"

using namespace hat;

namespace {

std::string nested(std::size_t depth, std::string_view inner = "") {
  return std::string(depth, '[') + std::string{inner}
         + std::string(depth, ']');
}

}  // namespace

TEST_CASE("json_text_error accepts valid JSON texts") {
  const char* valid[] = {
    // Scalars at the top level (RFC 8259, unlike RFC 4627).
    "0", "-0", "1", "-1", "123456789", "1.5", "-0.0", "0.000001", "1e5",
    "1E5", "1e+5", "1e-5", "1.25E-7", "-12.5e+300", "1.7976931348623157e308",
    "-1.7976931348623157e308", "4.9e-324", "1e-400", "-1e-99999999999999",
    "0e99999999999", "0.0e400", "123456789012345678901234567890",
    // At the double's limit: correctly rounded, 1.7976931348623158e308
    // rounds down to the largest double.
    "1e308", "9.99e307", "10e307", "0.1e309", "0.0000001e315",
    "1.7976931348623158e308", "179769313486231570000e288",
    "-0.00017976931348623157e312",
    "true", "false", "null", "\"\"", "\"abc\"",
    // Whitespace around values, of all four kinds.
    " 1 ", "\t\r\n true \n", " [ 1 , 2 ] ", "{ \"a\" : 1 , \"b\" : [ ] }",
    // Containers.
    "[]", "{}", "[[]]", "[{}]", "{\"\":{}}", "[1,\"a\",null,true,false,[]]",
    "{\"a\":1,\"a\":2}",  // duplicate names are allowed by the grammar
    // Escapes.
    "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\u0000\"", "\"\\u00e9\\u00E9\"",
    "\"\\uD834\\uDD1E\"", "\"\\ud834\\udd1e\"", "\"\\uFFFF\"",
    // UTF-8 of every length, DEL needs no escape.
    "\"\xC3\xA9\"", "\"\xE2\x82\xAC\"", "\"\xF0\x9D\x84\x9E\"",
    "\"\xF4\x8F\xBF\xBF\"", "\"\xEF\xBF\xBF\"", "\"\x7F\"",
    "\"STARTED\"",
  };
  for (auto text : valid) {
    CAPTURE(text);
    CHECK(json_text_error(text) == std::nullopt);
  }
}

TEST_CASE("json_text_error refuses invalid JSON texts with a reason") {
  const std::string invalid[] = {
    // The reported ones.
    "{abc", "[1,2,]", "", "NaN", "1e400",
    // Other non-standard values.
    "Infinity", "-Infinity", "nan", "undefined", "True", "nul", "truex",
    "'a'", "u",
    // Numbers outside the grammar or a double.
    "+1", "01", "-01", "00", "1.", ".5", "-", "-.5", "1e", "1e+", "1.e5",
    "0x10", "1_000", "-1e400", "1.8e308", "1e99999999999999999999",
    "1e309", "1.7976931348623159e308", "-1.7976931348623159e308",
    "17976931348623159e292", "0.00000000001e320", "1000e306",
    "123e", "1 2", "- 1",
    // Structure.
    "[", "]", "{", "}", "[1", "[1,", "{\"a\"", "{\"a\":", "{\"a\":1",
    "{\"a\" 1}", "{a:1}", "{1:1}", "{\"a\":1,}", "[,1]", "[1 2]", "[,]",
    "{,}", "{\"a\":1 \"b\":2}", "[1]]", "[1]x", "{}{}", "1,", "[1:2]",
    "{\"a\",1}",
    // Whitespace that is not JSON whitespace, comments.
    " ", "\v1", "\f1", "1\f", "[1]//c", "/*c*/1", "\xC2\xA0" "1",
    // Byte order mark.
    "\xEF\xBB\xBF" "1",
    // Strings.
    "\"abc", "\"", "\"\\\"", "\"\\x41\"", "\"\\a\"", "\"\\u12\"",
    "\"\\u12G4\"", "\"\\U0041\"", "\"\\\"", "\"tab\there\"",
    "\"nl\nhere\"", std::string{"\"nul\0here\"", 10}, "\"\x1F\"",
    // Lone or reversed surrogates.
    "\"\\uD800\"", "\"\\uDBFF\"", "\"\\uDC00\"", "\"\\uDFFF\"",
    "\"\\uD800x\"", "\"\\uD800\\n\"", "\"\\uD800\\u0041\"",
    "\"\\uDC00\\uD800\"", "\"\\uD800\\uD800\"", "\"\\uD800\\u\"",
    // Invalid UTF-8: stray continuation, overlong forms, encoded
    // surrogates, beyond U+10FFFF, truncated sequences, invalid bytes.
    "\"\x80\"", "\"\xBF\"", "\"\xC0\x80\"", "\"\xC1\xBF\"",
    "\"\xE0\x80\x80\"", "\"\xE0\x9F\xBF\"", "\"\xED\xA0\x80\"",
    "\"\xED\xBF\xBF\"", "\"\xF0\x80\x80\x80\"", "\"\xF0\x8F\xBF\xBF\"",
    "\"\xF4\x90\x80\x80\"", "\"\xF5\x80\x80\x80\"", "\"\xFF\"",
    "\"\xC3\"", "\"\xE2\x82\"", "\"\xF0\x9D\x84\"", "\"\xC3", "\xC3\xA9",
    "\"\xE2\x28\xA1\"",
  };
  for (const auto& text : invalid) {
    CAPTURE(text);
    auto error = json_text_error(text);
    REQUIRE(error.has_value());
    CHECK_FALSE(error->empty());
  }
}

TEST_CASE("json_text_error names the problem and where it is") {
  CHECK(json_text_error("") == "empty text");
  CHECK(json_text_error("[1,2,]") == "expected a value at offset 5");
  CHECK(json_text_error("{abc") == "expected a member name at offset 1");
  CHECK(json_text_error("[1e400]")
        == "number out of the range of a double at offset 1");
  CHECK(json_text_error("1 x") == "data after the JSON value at offset 2");
  CHECK(json_text_error("\"\\uD800\"")
        == "lone high surrogate escape at offset 2");
  CHECK(json_text_error("[1,") == "expected a value at offset 3");
  CHECK(json_text_error("{\"a\":1") == "unterminated object at offset 6");
  CHECK(json_text_error("\"abc") == "unterminated string at offset 0");
}

TEST_CASE("json_text_error bounds nesting, for arrays and objects alike") {
  CHECK(json_text_error(nested(max_json_depth)) == std::nullopt);
  CHECK(json_text_error(nested(max_json_depth, "1")) == std::nullopt);
  auto too_deep = json_text_error(nested(max_json_depth + 1));
  REQUIRE(too_deep.has_value());
  CHECK(too_deep->find("nesting deeper than") != std::string::npos);

  std::string objects;
  for (std::size_t i = 0; i < max_json_depth; ++i)
    objects += "{\"a\":";
  objects += "[]";  // one level too many
  for (std::size_t i = 0; i < max_json_depth; ++i)
    objects += '}';
  CHECK(json_text_error(objects).has_value());

  // Mixed containers close with their own bracket only, at every level.
  CHECK(json_text_error("[{\"a\":[{}]}]") == std::nullopt);
  CHECK(json_text_error("[{\"a\":[{}]]]").has_value());
  CHECK(json_text_error("{\"a\":[}]").has_value());

  // Far deeper than the bound: refused without exhausting the stack.
  CHECK(json_text_error(std::string(1'000'000, '[')).has_value());
}

TEST_CASE("json_text_error: long texts and containers that close and reopen") {
  std::string many = "[";
  for (int i = 0; i < 10'000; ++i)
    many += "{\"k\":[1,2.5,\"s\",{\"x\":null}]},";
  many += "0]";
  CHECK(json_text_error(many) == std::nullopt);
  many.back() = ',';
  CHECK(json_text_error(many).has_value());
}
