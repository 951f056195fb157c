#pragma once

/// v0.6 → v0.9 in one step: what the reference's two steps (v0.6 → v0.7 →
/// v0.9) leave in the v0.9 file, without the intermediate v0.7 file.
///
/// From the reference's v0.6 → v0.7 step (operations.md §3.5):
/// - the server id is system["server_id"], raised to 1 when below 1;
/// - an event's id becomes (server, instance, instance): its server, or the
///   server id when that is not positive, and its instance as session too;
/// - latest is walked in key order and its entries get event type refs 1,
///   2, 3, ...; LATEST_TYPE holds the type of the event;
/// - a time-series key keeps the partition and timestamp of the
///   ordered_data key and takes the event's new id;
/// - the last event id and timestamp of the server id are those of the
///   greatest new event id in latest and ordered_data (the first of equals,
///   latest first), stored only when above (server id, 0, 0).
/// The v0.7 → v0.9 step then maps payloads (event_upgrade.hpp), partition
/// orders 1 and 2 to "timestamp" and "sourceTimestamp", refs to LATEST_DATA
/// and TIMESERIES_DATA.
///
/// ordered_count: the reference reads the 8-byte count v0.6 stored as JSON
/// text and fails on every file that has one; this reads the count (a
/// deliberate fix).

#include <cstddef>

#include "storage/lmdb/convert/source_file.hpp"
#include "storage/lmdb/convert/v09_writer.hpp"

namespace hat::storage::lmdb::convert {

/// Writes the v0.9 content of the v0.6 file of `source` with `writer` (not
/// committed). Returns how many ordered_count entries were read as 8-byte
/// counts where the reference fails. Throws conversion_failure.
size_t convert_v06(const source_snapshot& source, v09_writer& writer);

}  // namespace hat::storage::lmdb::convert
