#pragma once

/// The partitions' descriptions and counts, which v0.6 (ordered_partition,
/// ordered_count) and v0.7 (ORDERED_PARTITION, ORDERED_COUNT) store alike:
/// partition id → {"order": 1 or 2, "subscriptions": [...]}, and partition
/// id → 8-byte count. (The reference reads v0.6 counts as JSON text and
/// fails: see convert_v06.hpp.)

#include <cstddef>

#include "storage/lmdb/convert/source_file.hpp"
#include "storage/lmdb/convert/v09_writer.hpp"
#include "storage/lmdb/dbi.hpp"

namespace hat::storage::lmdb::convert {

/// Every description of `db` into TIMESERIES_PARTITION, the order by name.
void convert_partitions(const source_snapshot& source, lmdb::dbi db,
                        v09_writer& writer);

/// Every count of `db` into TIMESERIES_COUNT; returns how many there were.
size_t convert_counts(const source_snapshot& source, lmdb::dbi db,
                      v09_writer& writer);

}  // namespace hat::storage::lmdb::convert
