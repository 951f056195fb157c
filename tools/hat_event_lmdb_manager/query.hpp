#pragma once

/// The query action: stored records of one database file as JSON lines
/// (record_json.hpp), read in one snapshot.

#include <ostream>

#include "tools/hat_event_lmdb_manager/arguments.hpp"

namespace hat::tools::lmdb_manager {

/// Opens `cmd.db` read-only and writes one line per matching record to
/// `out`, in key order. Throws command_error (lines written before the
/// failure stay written).
void run_query(const query_command& cmd, std::ostream& out);

}  // namespace hat::tools::lmdb_manager
