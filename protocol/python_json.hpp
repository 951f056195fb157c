#pragma once

/// JSON text exactly as the reference writes it: hat.json.encode, which is
/// Python's json.dumps with its defaults (", " between items, ": " after
/// keys, ensure_ascii=True: everything outside printable ASCII as \uXXXX
/// with lower-case hex, astral characters as surrogate pairs). Object
/// members keep their order, as Python dicts and boost::json::object both
/// do. Used wherever a Python peer compares or stores our text: monitor
/// data, LMDB values, the adminer's logging configuration.
///
/// decode() reads text as json.loads does and, where it refuses the text,
/// says why in json's own words, which the adminer passes on to its
/// clients as the reference does.

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/value.hpp>

namespace hat::python_json {

/// The text json.dumps gives for `value`; nothing for NaN, infinities and
/// strings that are not UTF-8, which have no JSON text the reference reads
/// back. Doubles are written as Python's repr writes floats (1.0, 1e+16,
/// 1e-05).
std::optional<std::string> encode(const boost::json::value& value);

/// Appends `text` as json.dumps writes a str. `text` should be UTF-8;
/// invalid bytes are written as \ufffd so the output is still JSON.
void append_string(std::string& out, std::string_view text);

/// Appends Python's repr of a finite double: the shortest digits that read
/// back the same, positional when the decimal point falls in (-4, 16],
/// else exponential.
void append_float(std::string& out, double value);

/// Why json.loads refuses a text: its JSONDecodeError text, message and
/// position, e.g. "Expecting value: line 1 column 1 (char 0)" (the
/// position counts characters, not bytes, as Python's str does).
struct syntax_error {
  std::string text;
};

/// Nesting json.loads allows before its RecursionError (Python's default
/// recursion limit less what the caller's own frames take, about 1000).
inline constexpr size_t max_depth = 990;

/// Parses UTF-8 `text` (anything else is refused: "not UTF-8 text") as
/// json.loads(str) does: the same accepted texts
/// (duplicate keys keep the first key's place and the last value) and the
/// same error texts. Where a boost::json::value cannot hold what Python
/// would (NaN, Infinity, numbers beyond a double, lone UTF-16 surrogates)
/// the text is refused with a message of ours in the same form. Integers
/// beyond 64 bits become doubles.
std::variant<boost::json::value, syntax_error> decode(std::string_view text);

}  // namespace hat::python_json
