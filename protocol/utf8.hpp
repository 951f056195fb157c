#pragma once

#include <cstddef>
#include <string_view>

namespace hat {

/// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
/// U+10FFFF; the same text Python's strict decoder accepts.
bool is_valid_utf8(const char* data, size_t size);

/// Decodes the UTF-8 sequence at the start of non-empty `text` and drops
/// it from `text`; anything invalid yields U+FFFD and drops one byte.
char32_t next_code_point(std::string_view& text);

}  // namespace hat
