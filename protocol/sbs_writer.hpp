#pragma once

/// SBS (Hat simple binary serializer, 0.7 format) primitives for encoding.
///
/// Encoders are written once against a sink and run twice: a size_sink pass
/// computes the exact encoded size, then a raw_sink pass writes straight
/// into the destination buffer with no bounds checks and no intermediate
/// copy.

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace hat::sbs {

/// Counts bytes instead of writing them.
struct size_sink {
  size_t size = 0;
  void put_byte(uint8_t) {
    ++size;
  }
  void put_raw(const void*, size_t n) {
    size += n;
  }
};

/// Writes at `pos`; the caller guarantees room (measured by size_sink).
struct raw_sink {
  char* pos;
  void put_byte(uint8_t b) {
    *pos++ = static_cast<char>(b);
  }
  void put_raw(const void* data, size_t n) {
    if (n != 0)
      std::memcpy(pos, data, n);
    pos += n;
  }
};

/// Bytes an Integer takes: the fewest 7-bit groups whose top group carries
/// the sign in bit 0x40.
constexpr size_t integer_size(int64_t value) {
  auto magnitude = value < 0 ? ~static_cast<uint64_t>(value)
                             : static_cast<uint64_t>(value);
  auto bits = 64 - std::countl_zero(magnitude);
  return static_cast<size_t>(bits) / 7 + 1;
}

template <class Sink>
void put_integer(Sink& sink, int64_t value) {
  auto n = integer_size(value);
  if constexpr (std::is_same_v<Sink, size_sink>) {
    sink.size += n;
  } else {
    // Big-endian groups; only the last byte has 0x80 set.
    for (size_t i = n; i-- > 1;)
      sink.put_byte(static_cast<uint8_t>((value >> (7 * i)) & 0x7F));
    sink.put_byte(static_cast<uint8_t>((value & 0x7F) | 0x80));
  }
}

template <class Sink>
void put_bool(Sink& sink, bool value) {
  sink.put_byte(value ? 1 : 0);
}

template <class Sink>
void put_double(Sink& sink, double value) {
  auto bits = std::bit_cast<uint64_t>(value);
  uint8_t bytes[8];
  for (int i = 7; i >= 0; --i, bits >>= 8)
    bytes[i] = static_cast<uint8_t>(bits);
  sink.put_raw(bytes, 8);
}

/// String and Bytes share one encoding: Integer length, then the bytes.
template <class Sink>
void put_bytes(Sink& sink, std::string_view bytes) {
  put_integer(sink, static_cast<int64_t>(bytes.size()));
  sink.put_raw(bytes.data(), bytes.size());
}

template <class Sink>
void put_string(Sink& sink, std::string_view text) {
  put_bytes(sink, text);
}

/// Array count or Choice index.
template <class Sink>
void put_count(Sink& sink, size_t n) {
  put_integer(sink, static_cast<int64_t>(n));
}

/// Optional(T) is Choice {none: None, value: T}.
template <class Sink, class T, class Put>
void put_optional(Sink& sink, const T& optional, Put&& put_value) {
  if (optional) {
    sink.put_byte(0x81);
    put_value(sink, *optional);
  } else {
    sink.put_byte(0x80);
  }
}

/// Appends the encoding of `value` (by `put(sink, value)`) to `out`: one
/// sizing pass, one resize, one writing pass.
template <class T, class Put>
void append_encoded(std::vector<char>& out, const T& value, Put&& put) {
  size_sink sizer;
  put(sizer, value);
  auto old_size = out.size();
  out.resize(old_size + sizer.size);
  raw_sink writer{out.data() + old_size};
  put(writer, value);
}

}  // namespace hat::sbs
