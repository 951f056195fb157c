#pragma once

/// The handles of the reference's nine named databases, by db_type.

#include <array>

#include "storage/lmdb/dbi.hpp"
#include "storage/lmdb/format.hpp"

namespace hat::storage::lmdb {

struct databases {
  std::array<dbi, format::all_db_types.size()> handles;

  dbi operator[](format::db_type type) const {
    return handles[static_cast<std::size_t>(type)];
  }
};

}  // namespace hat::storage::lmdb
