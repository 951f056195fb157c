#pragma once

/// What toml++ 3.3.0 (Debian 12) cannot be handed, found before it
/// parses: a dotted key or table header of more than `max_parts` parts.
/// toml++ builds one table per part, then recurses once per part (200,000
/// parts overflow the stack while it parses), and bounds only arrays and
/// inline tables.
///
/// A rough scan, not a parser: it skips comments and strings (one-line
/// quoted strings may be parts of a key, multi-line ones not) and counts
/// the dots of runs of parts, spaces allowed between; a float has one dot,
/// so nothing valid comes near the bound but such a key.

#include <cstddef>
#include <string_view>

namespace hat::config {

/// Throws config_error "line L, column C: TOML syntax error: ...".
void check_toml_before_parsing(std::string_view text, size_t max_parts);

}  // namespace hat::config
