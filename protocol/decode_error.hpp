#pragma once

/// Why a decoder refused its input. Decoders never throw and never read past
/// their input: they return one of these instead.

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace hat {

enum class decode_errc : uint8_t {
  /// The input ended in the middle of a value.
  truncated,
  /// An Integer ran past 10 bytes (more than 64 bits).
  integer_too_long,
  /// An Integer does not fit the field (int64, a count, microseconds, ...).
  integer_out_of_range,
  /// A Choice index names no alternative.
  bad_choice,
  /// A String, Bytes or Array length reaches past the end of the input.
  length_past_end,
  /// A String is not valid UTF-8.
  invalid_utf8,
  /// A message type name this protocol (or dialect) does not know.
  unknown_message_type,
  /// A chatter frame announces a body larger than the configured maximum.
  frame_too_large,
};

/// A short English description, e.g. "invalid UTF-8 in a String".
const char* describe(decode_errc code);

struct decode_error {
  decode_errc code = decode_errc::truncated;
  /// Byte offset into the decoded input where the problem was found.
  size_t offset = 0;

  /// "invalid UTF-8 in a String at byte 12"
  std::string to_string() const;
  bool operator==(const decode_error&) const = default;
};

/// A decoded value or the reason there is none.
template <class T>
class decode_result {
public:
  decode_result(T value) : state_(std::move(value)) {
  }
  decode_result(decode_error error) : state_(error) {
  }

  bool ok() const {
    return state_.index() == 0;
  }
  explicit operator bool() const {
    return ok();
  }
  T& value() {
    return std::get<0>(state_);
  }
  const T& value() const {
    return std::get<0>(state_);
  }
  T& operator*() {
    return value();
  }
  const T& operator*() const {
    return value();
  }
  T* operator->() {
    return &value();
  }
  const T* operator->() const {
    return &value();
  }
  const decode_error& error() const {
    return std::get<1>(state_);
  }

private:
  std::variant<T, decode_error> state_;
};

}  // namespace hat
