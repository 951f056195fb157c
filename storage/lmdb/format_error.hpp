#pragma once

/// Why stored bytes could not be decoded (or a value encoded). Format
/// functions never throw and never read past their input.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "storage/lmdb/result.hpp"

namespace hat::storage::lmdb::format {

enum class format_errc : uint8_t {
  /// A fixed-size key or value has another length.
  wrong_length,
  /// A number does not fit the model (an event id component above
  /// INT64_MAX, microseconds above 999999).
  out_of_range,
  /// An event reference names a database other than LATEST_DATA and
  /// TIMESERIES_DATA.
  unknown_db_type,
  /// Not JSON (or not UTF-8).
  bad_json,
  /// JSON, but not the shape this value has (e.g. an event type that is
  /// not a list of strings).
  unexpected_json,
  /// A value JSON text cannot hold (NaN, infinity, invalid UTF-8), which
  /// the reference's encoder refuses too.
  not_encodable,
  /// Not an SBS HatEventer.Event.
  bad_event,
};

struct format_error {
  format_errc code = format_errc::wrong_length;
  /// Details for a log line, e.g. "timestamp: 11 bytes, expected 12".
  std::string detail;
};

template <class T>
using format_result = result<T, format_error>;

/// The value of `r`, or std::runtime_error naming `what` for write jobs,
/// which have no other channel for a stored value that does not decode.
template <class T>
T decoded_or_throw(format_result<T> r, std::string_view what) {
  if (!r)
    throw std::runtime_error("lmdb backend: cannot decode " +
                             std::string(what) + ": " + r.error().detail);
  return std::move(r).value();
}

}  // namespace hat::storage::lmdb::format
