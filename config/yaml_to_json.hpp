#pragma once

/// YAML text to a Boost.JSON value, resolved the way PyYAML's safe_load
/// resolves it, because that is how the reference server reads the same
/// configuration files: a file must mean the same thing to both servers.
///
/// Plain (unquoted) scalars follow PyYAML's YAML 1.1 resolver:
///   null   ~, null, Null, NULL, empty
///   bool   yes/no, true/false, on/off in lower, Title or UPPER case
///   int    decimal, 0x hex, 0b binary, 0-prefixed octal (017 is 15; 0o17
///          is a string, as in PyYAML), base 60 (1:30 is 90); `_` ignored
///   float  1.5, 1., .5, 1.0e+3 (the exponent needs a dot and a sign, so
///          1e3 is a string), .inf, -.inf, .nan, base 60 (1:30.5)
///   other  string
/// Quoted and block scalars are always strings. The core tags !!str,
/// !!int, !!float, !!bool, !!null, !!seq and !!map are honoured; any other
/// tag is an error: safe_load refuses local tags (!foo) too, and what it
/// builds for !!binary, !!timestamp or !!set has no JSON form. `<<` merge
/// keys are applied. Integers are exact: int64, or uint64 above INT64_MAX;
/// anything wider is an error rather than a rounded double.
///
/// Known differences from PyYAML, none of which a configuration relies on:
/// mapping keys are kept as text (PyYAML turns `yes:` into a True key);
/// dates stay strings; `! 5` is the string "5" (PyYAML resolves it as if
/// plain, but yaml-cpp cannot tell it from the quoted "5").

#include <boost/json.hpp>
#include <string_view>

namespace hat::config {

/// Parses exactly one YAML document (none gives null). Throws config_error:
/// syntax errors with an empty path and "line L, column C: ..."; values
/// that cannot be represented with their dotted path and line.
boost::json::value yaml_to_json(std::string_view text);

}  // namespace hat::config
