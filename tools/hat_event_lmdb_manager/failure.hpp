#pragma once

/// How a command of hat-event-lmdb-manager fails: a command_error whose
/// what() says why (exit code 1). The LMDB layer reports failures as
/// values; checked() turns them into this exception at the tool's edge,
/// where nothing is left to do but report and stop.

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "storage/lmdb/error.hpp"
#include "storage/lmdb/format_error.hpp"
#include "storage/lmdb/result.hpp"

namespace hat::tools::lmdb_manager {

class command_error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// The value of an LMDB call; its error message (which names the call and
/// the database) otherwise.
template <class T>
T checked(storage::lmdb::result<T> r) {
  if (!r)
    throw command_error(r.error().message());
  return std::move(r).value();
}

inline void checked(storage::lmdb::result<void> r) {
  if (!r)
    throw command_error(r.error().message());
}

/// The decoded value; "`what`: why it is malformed" otherwise.
template <class T>
T checked(storage::lmdb::format::format_result<T> r, std::string_view what) {
  if (!r)
    throw command_error(std::string{what} + ": " + r.error().detail);
  return std::move(r).value();
}

}  // namespace hat::tools::lmdb_manager
