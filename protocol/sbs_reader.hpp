#pragma once

/// SBS (0.7 format) primitives for decoding straight from a received buffer.
///
/// The first failure is recorded and every later read returns a neutral
/// value without touching the input, so typed decoders read field after
/// field and check ok() once at the end.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "protocol/decode_error.hpp"

namespace hat::sbs {

class reader {
public:
  explicit reader(std::span<const char> input)
    : begin_(input.data()), pos_(input.data()),
      end_(input.data() + input.size()) {
  }

  bool ok() const {
    return !error_;
  }
  const std::optional<decode_error>& error() const {
    return error_;
  }
  size_t remaining() const {
    return static_cast<size_t>(end_ - pos_);
  }
  size_t offset() const {
    return static_cast<size_t>(pos_ - begin_);
  }

  /// Records `code` at the current offset unless an error is already kept.
  void fail(decode_errc code);

  /// Signed Integer of at most 64 bits (10 bytes).
  int64_t get_integer();

  /// Integer that must lie in [min, max].
  int64_t get_integer_in(int64_t min, int64_t max);

  /// Any non-zero byte is true.
  bool get_bool();

  double get_double();

  /// Bytes as a view into the input.
  std::string_view get_bytes();

  /// String as a view into the input, validated as UTF-8.
  std::string_view get_string();

  /// Array count. Every element of our schemas takes at least one byte, so
  /// a count above the remaining input is refused before anyone allocates.
  size_t get_count();

  /// Choice index in [0, alternatives).
  size_t get_choice(size_t alternatives);

  /// Optional(T): true when a value follows.
  bool get_optional_flag() {
    return get_choice(2) == 1;
  }

private:
  const char* begin_;
  const char* pos_;
  const char* end_;
  std::optional<decode_error> error_;
};

}  // namespace hat::sbs
