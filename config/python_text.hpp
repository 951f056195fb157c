#pragma once

/// JSON values as Python sees them once json.loads made them Python
/// objects: their repr() and str(), type names and truthiness. Texts of the
/// reference that embed a value ("Unsupported version: 2", "Unable to
/// configure logger 'a'") are built from these, so ours read the same.

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace hat::config::python {

/// repr(): None, True, 1, 2.5, 'text' (Python's choice of quotes and
/// escapes), [1, 'a'], {'k': 1}. Non-ASCII characters are kept except
/// the C1 controls and a few invisible ones, as str.isprintable() roughly
/// decides.
std::string repr(const boost::json::value& value);

/// repr() of a str.
std::string repr(std::string_view text);

/// str(): a string's own text, repr() of anything else.
std::string str(const boost::json::value& value);

/// type(value).__name__: NoneType, bool, int, float, str, list, dict.
std::string_view type_name(const boost::json::value& value);

/// bool(value): false for None, False, 0, 0.0 and empty str, list, dict.
bool truthy(const boost::json::value& value);

}  // namespace hat::config::python
