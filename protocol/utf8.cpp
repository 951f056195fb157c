#include "protocol/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace hat {

namespace {

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

}  // namespace

bool is_valid_utf8(const char* data, size_t size) {
  auto p = reinterpret_cast<const unsigned char*>(data);
  auto end = p + size;
  while (p < end) {
    // Event types and JSON payloads are mostly ASCII: skip 8 bytes at once.
    if (end - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      if ((word & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    size_t len;
    uint32_t min;
    uint32_t code;
    if ((c & 0xE0) == 0xC0) {
      len = 2, min = 0x80, code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, min = 0x800, code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, min = 0x10000, code = c & 0x07;
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) < len)
      return false;
    for (size_t i = 1; i < len; ++i) {
      if (!is_continuation(p[i]))
        return false;
      code = (code << 6) | (p[i] & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
      return false;
    p += len;
  }
  return true;
}

char32_t next_code_point(std::string_view& text) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  size_t length = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (lead < 0x80) {
    text.remove_prefix(1);
    return lead;
  } else if ((lead & 0xe0) == 0xc0) {
    length = 2, cp = lead & 0x1f, min = 0x80;
  } else if ((lead & 0xf0) == 0xe0) {
    length = 3, cp = lead & 0x0f, min = 0x800;
  } else if ((lead & 0xf8) == 0xf0) {
    length = 4, cp = lead & 0x07, min = 0x10000;
  }
  bool valid = length != 0 && text.size() >= length;
  for (size_t i = 1; valid && i < length; ++i) {
    valid = (byte(i) & 0xc0) == 0x80;
    cp = (cp << 6) | (byte(i) & 0x3f);
  }
  valid = valid && cp >= min && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
  text.remove_prefix(valid ? length : 1);
  return valid ? cp : 0xfffd;
}

}  // namespace hat
