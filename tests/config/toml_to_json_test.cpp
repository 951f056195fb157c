// TOML payloads read as the reference's manager reads them: tomllib, then
// json.dumps. Every expected text below was measured with CPython 3.11:
// json.dumps(tomllib.loads(text)).

#include <doctest/doctest.h>

#include <string>

#include "config/server_config.hpp"
#include "config/toml_to_json.hpp"
#include "protocol/python_json.hpp"

using namespace hat::config;

namespace {

/// What the reference would send for `text`.
std::string dumps(std::string_view text) {
  auto encoded = hat::python_json::encode(toml_to_json(text));
  REQUIRE(encoded);
  return *encoded;
}

std::string error_of(std::string_view text) {
  try {
    toml_to_json(text);
  } catch (const config_error& error) {
    return error.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("TOML tables keep their keys in the order of the text") {
  CHECK(dumps("zeta = 1\nalpha = \"a\"\n[mid]\ny = 2\nb = 3\n"
              "[mid.inner]\nq = true\n")
        == R"({"zeta": 1, "alpha": "a", "mid": {"y": 2, "b": 3, )"
           R"("inner": {"q": true}}})");
  CHECK(dumps("a.b.c = 1\nx = 2\na.d = 3\n")
        == R"({"a": {"b": {"c": 1}, "d": 3}, "x": 2})");
  CHECK(dumps("") == "{}");
}

TEST_CASE("TOML arrays, arrays of tables and inline tables") {
  CHECK(dumps("a = [1, 2.5, \"x\", [true, false], {k = \"v\"}]\n"
              "[[item]]\nname = \"one\"\n[[item]]\nname = \"two\"\n"
              "n.m = 1\n")
        == R"({"a": [1, 2.5, "x", [true, false], {"k": "v"}], )"
           R"("item": [{"name": "one"}, {"name": "two", "n": {"m": 1}}]})");
}

TEST_CASE("TOML strings resolve their escapes and are sent as ASCII") {
  CHECK(dumps("s = \"tab\\t quote\\\" back\\\\ \\u00e9 \\U0001F600 "
              "\xc3\xa9\"\nlit = 'C:\\path'\nml = \"\"\"\nline1\nline2\"\"\"\n")
        == R"({"s": "tab\t quote\" back\\ \u00e9 \ud83d\ude00 \u00e9", )"
           R"("lit": "C:\\path", "ml": "line1\nline2"})");
}

TEST_CASE("TOML integers are exact and floats are written as Python's") {
  CHECK(dumps("d = 1_000\nh = 0xff\no = 0o17\nb = 0b101\n"
              "neg = -9223372036854775808\nmax = 9223372036854775807\n")
        == R"({"d": 1000, "h": 255, "o": 15, "b": 5, )"
           R"("neg": -9223372036854775808, "max": 9223372036854775807})");
  CHECK(dumps("a = 1.0\nb = 1e16\nc = 1e-5\nd = -0.0\ne = 3.14159\n"
              "f = 6.02e23\ng = 0.1\n")
        == R"({"a": 1.0, "b": 1e+16, "c": 1e-05, "d": -0.0, )"
           R"("e": 3.14159, "f": 6.02e+23, "g": 0.1})");
  CHECK(dumps("t = true\nf = false\n") == R"({"t": true, "f": false})");
}

TEST_CASE("TOML values JSON cannot carry are refused with their key") {
  CHECK(error_of("x = 1\n[t]\nd = 1979-05-27\n")
        == "t.d: a TOML date or time has no JSON form (the reference fails "
           "to encode it) (line 3)");
  CHECK(error_of("a = [07:32:00]\n").starts_with("a[0]: a TOML date or "));
  CHECK(error_of("dt = 1979-05-27T07:32:00Z\n").starts_with("dt: a TOML "));
  CHECK(error_of("f = nan\n")
        == "f: nan and inf have no JSON form (the reference would send "
           "NaN) (line 1)");
  CHECK(error_of("f = -inf\n").starts_with("f: nan and inf"));
}

TEST_CASE("TOML syntax errors name the line and column") {
  auto error = error_of("a = 1\n[t]\nx = 1\n[t]\n");
  CHECK(error.starts_with("line 4, column "));
  CHECK(error.find("TOML syntax error: ") != std::string::npos);
  CHECK(error_of("a = ").starts_with("line 1, column "));
  CHECK(error_of("a = 1\na = 2\n").starts_with("line 2, column "));
  // TOML 1.0 says an integer beyond int64 is an error; tomllib takes it.
  CHECK(error_of("big = 9223372036854775808\n")
          .starts_with("line 1, column "));
  CHECK(error_of("s = \"\xff\"\n").starts_with("line 1, column "));
  CHECK(error.find('\n') == std::string::npos);
}

TEST_CASE("TOML nesting is bounded, dotted keys and table headers too") {
  auto dotted = [](size_t depth) {
    std::string key = "k";
    for (size_t i = 1; i < depth; ++i)
      key += ".k";
    return key;
  };
  // toml++ takes these (only arrays and inline tables are bounded there),
  // and 200,000 parts overflowed its stack: refused before it parses.
  CHECK(error_of(dotted(256) + " = 1\n") == "(no error)");
  CHECK(error_of("a = 1 # x" + dotted(300) + "\n" + dotted(257) + " = 1\n")
        == "line 2, column 512: TOML syntax error: a dotted key or table "
           "header of more than 256 parts");
  auto header = std::string{"["}.append(dotted(1'000'000)).append("]\n");
  CHECK(error_of(header).starts_with("line 1, column 513: TOML syntax "
                                     "error: a dotted key or table header "
                                     "of more than 256 parts"));
  std::string quoted{"'\"'"};
  for (int i = 0; i < 300; ++i)
    quoted += ". \"k.\"";
  quoted += " = 1\n";
  CHECK(error_of(quoted).find("a dotted key or table header")
        != std::string::npos);
  // Dots in strings, comments and floats are no key's.
  CHECK(error_of("s = \"" + dotted(300) + "\" # " + dotted(300) + "\n"
                 "m = \"\"\"\n" + dotted(300) + "\n\"\"\"\nf = [1.5, 2.5]\n")
        == "(no error)");
  // Parts of a header and a key add up, each under the bound.
  auto both = std::string{"["}.append(dotted(200)).append("]\n");
  both.append(dotted(100)).append(" = 1\n");
  CHECK(error_of(both)
        == "tables and arrays nested deeper than 256 (line 2)");
  CHECK(error_of("a = " + std::string(300, '[') + std::string(300, ']'))
          .starts_with("line 1, column "));
}

TEST_CASE("TOML with non-ASCII characters where toml++ 3.3.0 looked "
          "for whitespace") {
  // Undefined behaviour inside toml++ before toml_to_json.cpp made its
  // character classes answer (fuzz findings): now syntax errors, as in
  // tomllib, and the valid texts read as tomllib reads them.
  CHECK(error_of("d = \xcf\x98" "000\n")
          .starts_with("line 1, column 5: TOML syntax error: "));
  CHECK(error_of("a = 1.\"\x07|\\b\xcf\x9a\xce\xd1\n")
          .starts_with("line 1, column "));
  CHECK(error_of("a = 1 \xc3\xa9\n").starts_with("line 1, column "));
  CHECK(dumps("# \xcf\x98 comment\n's' = '\xcf\x98'\n"
              "m = \"\"\"a\\\n  \xcf\x98" "b\"\"\"\n")
        == R"({"s": "\u03d8", "m": "a\u03d8b"})");
}
