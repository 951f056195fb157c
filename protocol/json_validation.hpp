#pragma once

/// Strict validation of JSON payload text (RFC 8259), for every place where
/// events enter the server: a payload the reference's Python clients cannot
/// decode would disconnect every subscriber it is relayed to.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hat {

/// Deepest nesting of arrays and objects a payload may have. Python's
/// decoder (the reference's clients) gives up near 1000 levels.
inline constexpr std::size_t max_json_depth = 512;

/// Why `text` is not exactly one JSON text as RFC 8259 defines it, or
/// nothing when it is. Strict: only the RFC's grammar (no NaN, Infinity,
/// comments, trailing commas or byte order mark), numbers finite as a
/// double (1e400 is refused, 1e-400 underflows to 0 and is accepted),
/// strings in valid UTF-8 with escaped surrogates in pairs, only whitespace
/// after the value, nesting at most `max_json_depth`. One pass without
/// recursion; nothing is allocated but the reason.
std::optional<std::string> json_text_error(std::string_view text);

}  // namespace hat
