#include "storage/lmdb/error.hpp"

#include <utility>

namespace hat::storage::lmdb {

error::error(int code, std::string context)
  : code_(code), context_(std::move(context)) {
}

std::string error::message() const {
  return context_ + ": " + mdb_strerror(code_);
}

}  // namespace hat::storage::lmdb
