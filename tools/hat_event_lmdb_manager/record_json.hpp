#pragma once

/// Stored records as the reference's hat-event-lmdb-manager prints them
/// (backends/lmdb/manager/common.py and query.py), one JSON value per
/// record.
///
/// Events differ from hat-event-manager's shape (client/event_json.hpp) in
/// the payload only:
///
///     null | {"type": "JSON", "data": <any JSON value>}
///          | {"type": "BINARY", "subtype": "<name>", "data": "<hex>"}
///
/// plus, as in event_json.hpp, {"type": "JSON", "text": "<as stored>"} for
/// a JSON payload whose text is not strict JSON (NaN, Infinity).

#include <cstdint>
#include <optional>

#include <boost/json/value.hpp>

#include "protocol/event.hpp"

namespace hat::tools::lmdb_manager {

boost::json::value event_to_json(const event& e);

/// {"event_id": {...}, "ref_type": "latest", "event_type": [...]}; the type
/// is null when LATEST_TYPE lacks the reference's key.
boost::json::value latest_ref_to_json(const event_id& id,
                                      const std::optional<event_type>& type);

/// {"event_id": {...}, "ref_type": "timeseries", "partition_id": N,
///  "timestamp": {"s": .., "us": ..}}.
boost::json::value timeseries_ref_to_json(const event_id& id,
                                          uint64_t partition_id,
                                          const timestamp& t);

}  // namespace hat::tools::lmdb_manager
