#pragma once

/// TOML text to a Boost.JSON value, as the reference's manager reads a TOML
/// payload (TOML 1.0 through Python's tomllib/tomli, then json.dumps), so
/// the JSON text we send is the one it sends.
///
///   table, inline table   object, keys in the order they first appear
///                         (a Python dict's order)
///   array, array of tables  array
///   string                string (escapes and \uXXXX resolved)
///   integer               int64 (decimal, 0x, 0o, 0b; `_` ignored)
///   float                 double, written later as Python's repr
///   boolean               bool
///
/// Refused, because json.dumps has no text for them: dates, times and
/// date-times (Python makes datetime objects, which the reference then
/// fails to encode) and nan/inf (the reference would send NaN, which is
/// no JSON). Known differences: an integer beyond int64 is a syntax error
/// here, as TOML 1.0 says it must be, where tomllib reads it as a Python
/// int; tables and arrays nested deeper than 256, a dotted key or table
/// header of more than 256 parts among them, are refused (toml++ recurses
/// once per part).

#include <boost/json.hpp>
#include <string_view>

namespace hat::config {

/// Parses one TOML document. Throws config_error: syntax errors with an
/// empty path and "line L, column C: ..."; values JSON cannot carry with
/// their dotted key path and line.
boost::json::value toml_to_json(std::string_view text);

}  // namespace hat::config
