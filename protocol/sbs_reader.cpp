#include "protocol/sbs_reader.hpp"

#include <bit>
#include <cstring>

#include "protocol/utf8.hpp"

namespace hat {

const char* describe(decode_errc code) {
  switch (code) {
    case decode_errc::truncated:
      return "input ends in the middle of a value";
    case decode_errc::integer_too_long:
      return "Integer longer than 64 bits";
    case decode_errc::integer_out_of_range:
      return "Integer out of range for its field";
    case decode_errc::bad_choice:
      return "Choice index out of range";
    case decode_errc::length_past_end:
      return "length reaches past the end of the input";
    case decode_errc::invalid_utf8:
      return "invalid UTF-8 in a String";
    case decode_errc::unknown_message_type:
      return "unknown message type";
    case decode_errc::frame_too_large:
      return "frame larger than the maximum frame size";
  }
  return "unknown decode error";
}

std::string decode_error::to_string() const {
  return std::string{describe(code)} + " at byte " + std::to_string(offset);
}

namespace sbs {

void reader::fail(decode_errc code) {
  if (!error_)
    error_ = decode_error{code, offset()};
  // Nothing more is read once the input is known to be bad.
  pos_ = end_;
}

int64_t reader::get_integer() {
  if (error_)
    return 0;
  const char* start = pos_;
  uint64_t value = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos_ == end_) {
      pos_ = start;
      fail(decode_errc::truncated);
      return 0;
    }
    auto byte = static_cast<uint8_t>(*pos_++);
    if (i == 0) {
      // Sign extension from bit 0x40 of the first group.
      value = (byte & 0x40) ? ~uint64_t{0} : 0;
    } else if (i == 9) {
      // Ten groups hold 70 bits: the top 7 must all repeat the sign.
      auto top = static_cast<uint8_t>(*start) & 0x7F;
      if (top != 0x00 && top != 0x7F) {
        pos_ = start;
        fail(decode_errc::integer_out_of_range);
        return 0;
      }
    }
    value = (value << 7) | (byte & 0x7F);
    if (byte & 0x80)
      return static_cast<int64_t>(value);
  }
  pos_ = start;
  fail(decode_errc::integer_too_long);
  return 0;
}

int64_t reader::get_integer_in(int64_t min, int64_t max) {
  const char* start = pos_;
  auto value = get_integer();
  if (error_)
    return 0;
  if (value < min || value > max) {
    pos_ = start;
    fail(decode_errc::integer_out_of_range);
    return 0;
  }
  return value;
}

bool reader::get_bool() {
  if (error_)
    return false;
  if (pos_ == end_) {
    fail(decode_errc::truncated);
    return false;
  }
  return *pos_++ != 0;
}

double reader::get_double() {
  if (error_)
    return 0;
  if (remaining() < 8) {
    fail(decode_errc::truncated);
    return 0;
  }
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i)
    bits = (bits << 8) | static_cast<uint8_t>(pos_[i]);
  pos_ += 8;
  return std::bit_cast<double>(bits);
}

std::string_view reader::get_bytes() {
  const char* start = pos_;
  auto size = get_integer();
  if (error_)
    return {};
  if (size < 0 || static_cast<uint64_t>(size) > remaining()) {
    pos_ = start;
    fail(decode_errc::length_past_end);
    return {};
  }
  std::string_view bytes{pos_, static_cast<size_t>(size)};
  pos_ += size;
  return bytes;
}

std::string_view reader::get_string() {
  const char* start = pos_;
  auto text = get_bytes();
  if (error_)
    return {};
  if (!is_valid_utf8(text.data(), text.size())) {
    pos_ = start;
    fail(decode_errc::invalid_utf8);
    return {};
  }
  return text;
}

size_t reader::get_count() {
  const char* start = pos_;
  auto count = get_integer();
  if (error_)
    return 0;
  if (count < 0 || static_cast<uint64_t>(count) > remaining()) {
    pos_ = start;
    fail(decode_errc::length_past_end);
    return 0;
  }
  return static_cast<size_t>(count);
}

size_t reader::get_choice(size_t alternatives) {
  const char* start = pos_;
  auto index = get_integer();
  if (error_)
    return 0;
  if (index < 0 || static_cast<uint64_t>(index) >= alternatives) {
    pos_ = start;
    fail(decode_errc::bad_choice);
    return 0;
  }
  return static_cast<size_t>(index);
}

}  // namespace sbs
}  // namespace hat
