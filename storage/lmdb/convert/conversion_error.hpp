#pragma once

/// Why a conversion of an old database file failed, and how the converter's
/// parts report it to each other.
///
/// The public entry (convert.hpp) returns a conversion_error as a value.
/// Inside, a failure ends the whole conversion (nothing is skipped or
/// retried), so the parts throw a conversion_failure that convert_database
/// catches and returns; nothing else throws it, and nothing else catches it.

#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include "storage/lmdb/error.hpp"
#include "storage/lmdb/result.hpp"

namespace hat::storage::lmdb::convert {

/// One line for the user that names what is at fault: the file, and for a
/// stored value that does not decode its database and key, e.g.
/// "v06.db: ordered_data key 00..01: the event: truncated input at byte 9".
struct conversion_error {
  std::string message;
};

template <class T>
using conversion_result = result<T, conversion_error>;

/// A conversion_error on its way to convert_database.
class conversion_failure : public std::exception {
public:
  explicit conversion_failure(std::string message)
    : error_{std::move(message)} {
  }

  const conversion_error& error() const {
    return error_;
  }

  const char* what() const noexcept override {
    return error_.message.c_str();
  }

private:
  conversion_error error_;
};

/// The value of an LMDB call; a conversion_failure with its message (which
/// names the call and the database, and a full disk) otherwise.
template <class T>
T lmdb_checked(result<T> r) {
  if (!r)
    throw conversion_failure(r.error().message());
  return std::move(r).value();
}

inline void lmdb_checked(const result<void>& r) {
  if (!r)
    throw conversion_failure(r.error().message());
}

}  // namespace hat::storage::lmdb::convert
