#pragma once

/// v0.7 → v0.9, as the reference's convert_v07_to_v09 (operations.md §3.6):
/// - SYSTEM[server] = (id, timestamp) → SYSTEM_LAST_EVENT_ID[server] = id,
///   SYSTEM_LAST_TIMESTAMP[server] = timestamp;
/// - REF: the same keys, refs to LATEST_DATA and ORDERED_DATA become refs
///   to LATEST_DATA and TIMESERIES_DATA with the same keys;
/// - LATEST_DATA, ORDERED_DATA → LATEST_DATA, TIMESERIES_DATA: the same
///   keys, events upgraded (event_upgrade.hpp);
/// - LATEST_TYPE: copied;
/// - ORDERED_PARTITION → TIMESERIES_PARTITION: order 1 → "timestamp",
///   2 → "sourceTimestamp", subscriptions copied;
/// - ORDERED_COUNT → TIMESERIES_COUNT.
/// Every value is decoded and encoded again, so what does not decode stops
/// the conversion with the database and key named.

#include "storage/lmdb/convert/source_file.hpp"
#include "storage/lmdb/convert/v09_writer.hpp"

namespace hat::storage::lmdb::convert {

/// Writes the v0.9 content of the v0.7 file of `source` with `writer` (not
/// committed). Throws conversion_failure.
void convert_v07(const source_snapshot& source, v09_writer& writer);

}  // namespace hat::storage::lmdb::convert
