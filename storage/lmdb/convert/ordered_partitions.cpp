#include "storage/lmdb/convert/ordered_partitions.hpp"

#include "storage/lmdb/convert/v07_format.hpp"
#include "storage/lmdb/format.hpp"

namespace hat::storage::lmdb::convert {

void convert_partitions(const source_snapshot& source, lmdb::dbi db,
                        v09_writer& writer) {
  source.for_each(db, [&](const source_entry& entry) {
    auto id = entry.decoded(format::decode_uint(entry.key), "partition id");
    writer.put_partition(
      id, entry.decoded(v07::decode_partition(entry.value), "description"));
  });
}

size_t convert_counts(const source_snapshot& source, lmdb::dbi db,
                      v09_writer& writer) {
  size_t counts = 0;
  source.for_each(db, [&](const source_entry& entry) {
    auto id = entry.decoded(format::decode_uint(entry.key), "partition id");
    writer.put_count(id, entry.decoded(format::decode_uint(entry.value),
                                       "count"));
    ++counts;
  });
  return counts;
}

}  // namespace hat::storage::lmdb::convert
