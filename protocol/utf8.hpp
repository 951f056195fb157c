#pragma once

#include <cstddef>

namespace hat {

/// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
/// U+10FFFF; the same text Python's strict decoder accepts.
bool is_valid_utf8(const char* data, size_t size);

}  // namespace hat
