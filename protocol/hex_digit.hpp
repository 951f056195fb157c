#pragma once

namespace hat {

/// The value of one hexadecimal digit (either case), -1 for any other
/// character. Hex appears in JSON "\u" escapes and in binary payloads
/// written as hex text.
constexpr int hex_digit_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

}  // namespace hat
