#pragma once

/// Which database format a file holds, found as the reference's
/// hat-event-lmdb-convert finds it (convert/version.py), in its order:
/// 1. SYSTEM_SETTINGS holds under VERSION (key 0) a JSON string that names
///    a known version: that version (only v0.9 writes one, "0.9");
/// 2. SYSTEM, LATEST_DATA, LATEST_TYPE, ORDERED_DATA, ORDERED_PARTITION,
///    ORDERED_COUNT and REF all exist: v0.7;
/// 3. system, latest, ordered_data, ordered_partition and ordered_count
///    all exist: v0.6;
/// 4. otherwise none (the reference's "unsupported version").

#include <optional>
#include <string_view>

#include "storage/lmdb/convert/source_file.hpp"

namespace hat::storage::lmdb::convert {

enum class database_version { v06, v07, v09 };

/// "0.6", "0.7" or "0.9".
std::string_view version_name(database_version version);

/// The format of `file`; nullopt when it is none of the three. Throws
/// conversion_failure on LMDB failures other than a missing database.
std::optional<database_version> detect_version(source_file& file);

}  // namespace hat::storage::lmdb::convert
